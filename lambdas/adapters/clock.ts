import type { Clock } from '../ports.ts';

/** The machine's clock: the one place outside tests that says what time it is. */
export const systemClock: Clock = { now: () => new Date() };
