// Instants as people read them: in a time zone, with UTC beside it. One formatter for alerts,
// drill reports and the CLI, so the same instant reads the same everywhere.

interface ZonedParts {
  readonly year: string;
  readonly month: string;
  readonly day: string;
  readonly hour: string;
  readonly minute: string;
  readonly second: string;
  /** The zone's short name (CST, GMT+8), when asked for. */
  readonly timeZoneName?: string;
}

export const zonedParts = (date: Date, timeZone: string, withZoneName = false): ZonedParts =>
  Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      ...(withZoneName ? { timeZoneName: 'short' as const } : {}),
    })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  ) as unknown as ZonedParts;

/** "10:00:05", or "2026-11-20 10:00:05" with the date. */
export const formatClock = (date: Date, timeZone: string, withDate: boolean): string => {
  const parts = zonedParts(date, timeZone);
  const clock = `${parts.hour}:${parts.minute}:${parts.second}`;
  return withDate ? `${parts.year}-${parts.month}-${parts.day} ${clock}` : clock;
};

/** "2026-11-20 10:00:05 Asia/Shanghai (02:00:05 UTC)" */
export const formatLocal = (instant: string, timeZone: string): string => {
  const date = new Date(instant);
  const local = formatClock(date, timeZone, true);
  return timeZone === 'UTC' ? `${local} UTC` : `${local} ${timeZone} (${formatClock(date, 'UTC', false)} UTC)`;
};
