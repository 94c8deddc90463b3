// Synthetic identities: probes never carry a real person's data. Each run gets a fresh subject
// whose values say plainly that they are test data, so a leaked record harms nobody and an
// operator who finds one in a platform's database knows where it came from.

export interface SyntheticIdentity {
  /** Subject id, e.g. `SYN-3F2A9C1D7B4E`; real ids never start with SYN-. */
  readonly id: string;
  readonly name: string;
  /** In the +86 170 0000 xxxx range, which is not allocated to subscribers. */
  readonly phone: string;
}

export const IDENTITY_FIELDS = ['id', 'name', 'phone'] as const satisfies readonly (keyof SyntheticIdentity)[];

/** Builds an identity from 16 hex characters of randomness (the runtime's nonce). */
export const syntheticIdentity = (nonce: string): SyntheticIdentity => {
  if (!/^[0-9a-f]{16}$/i.test(nonce)) throw new Error('syntheticIdentity needs 16 hex characters');
  const upper = nonce.toUpperCase();
  return {
    id: `SYN-${upper.slice(0, 12)}`,
    name: `Synthetic Probe ${upper.slice(12, 16)}`,
    phone: `+861700000${String(parseInt(nonce.slice(12, 16), 16) % 10_000).padStart(4, '0')}`,
  };
};

/** The identity's values as strings, for redaction. */
export const identityValues = (identity: SyntheticIdentity): string[] =>
  IDENTITY_FIELDS.map((field) => identity[field]);
