// A fault put into the platform on purpose (sandbox fault API, a real platform's fault hook).
import type { FaultMode, Site, Stage } from './vocabulary.ts';

export interface FaultSpec {
  readonly site: Site;
  readonly stage: Stage;
  readonly mode: FaultMode;
  readonly latencyMs?: number;
  /** Cleared automatically after this long; until `clear` otherwise. */
  readonly forMs?: number;
}

export interface ActiveFault extends FaultSpec {
  readonly since: string;
  readonly until?: string;
}
