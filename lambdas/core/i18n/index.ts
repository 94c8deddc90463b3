// hcguard's words in the operator's language: `wordsFor(config.locale)`. i18next fills in the
// `{{name}}` parameters; a Phrase is a message as data (a key and its parameters, which may be
// phrases too), so a decision can store what it means and every locale can word it later.
import i18next from 'i18next';
import type { Catalogue, MessageKey } from './catalogue.ts';
import { en } from './en.ts';
import { zhCN } from './zh-CN.ts';

export type { MessageKey } from './catalogue.ts';

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

export const CATALOGUES: Readonly<Record<Locale, Catalogue>> = { en, 'zh-CN': zhCN };

/** Where a config names a locale and no time zone: Chinese operators read Beijing time. */
export const DEFAULT_TIME_ZONE: Readonly<Record<Locale, string>> = { en: 'UTC', 'zh-CN': 'Asia/Shanghai' };

export type Params = Readonly<Record<string, string | number | Phrase>>;

export interface Phrase {
  readonly key: MessageKey;
  readonly params?: Params;
}

export interface Words {
  readonly locale: Locale;
  /** The words for `key`; a parameter that is a phrase is worded first. */
  t(key: MessageKey, params?: Params): string;
  say(phrase: Phrase): string;
  /** "What:     value" in English; "事件：value" in Chinese, both aligned to the same column. */
  labelled(label: string, value: string): string;
  /** The locale's colon after a label: ":" or "：". */
  readonly colon: string;
}

export const phrase = (key: MessageKey, params?: Params): Phrase => (params ? { key, params } : { key });

/** Display columns: CJK and full-width characters take two, so labels line up in a terminal. */
export const displayWidth = (text: string): number => {
  let width = 0;
  for (const char of text)
    width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(char)
      ? 2
      : 1;
  return width;
};

export const padDisplay = (text: string, columns: number): string =>
  text + ' '.repeat(Math.max(0, columns - displayWidth(text)));

const LABEL_COLUMNS = 10;

const build = (locale: Locale): Words => {
  const instance = i18next.createInstance();
  void instance.init({
    lng: locale,
    fallbackLng: false,
    resources: { [locale]: { translation: CATALOGUES[locale] } },
    initAsync: false,
    nsSeparator: false,
    interpolation: { escapeValue: false },
    // A parameter left out shows as itself rather than vanishing from the sentence.
    missingInterpolationHandler: (_text: string, match: RegExpExecArray) => match[0],
  });
  const colon = CATALOGUES[locale].punctuation.colon;
  const words: Words = {
    locale,
    t: (key, params) => {
      const filled = params
        ? Object.fromEntries(
            Object.entries(params).map(([name, value]) => [name, typeof value === 'object' ? words.say(value) : value]),
          )
        : undefined;
      return instance.t(key, filled) as string;
    },
    say: (said) => words.t(said.key, said.params),
    colon,
    labelled: (label, value) => `${padDisplay(`${label}${colon}`, LABEL_COLUMNS - 1)} ${value}`,
  };
  return words;
};

const built = new Map<Locale, Words>();

export const wordsFor = (locale: Locale): Words => {
  let words = built.get(locale);
  if (!words) {
    words = build(locale);
    built.set(locale, words);
  }
  return words;
};
