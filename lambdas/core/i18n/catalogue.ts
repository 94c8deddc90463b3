// The shape every locale's catalogue has: ./en.ts's keys, any words.
import type { en } from './en.ts';

type Shape<T> = { readonly [K in keyof T]: T[K] extends string ? string : Shape<T[K]> };

export type Catalogue = Shape<typeof en>;

type Leaves<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : Leaves<T[K], `${Prefix}${K}.`>;
}[keyof T & string];

/** A word's path in the catalogue: `stage.verification`, `alert.label.what`. */
export type MessageKey = Leaves<typeof en>;
