// ISO-8601 text for an instant, exactly as Date.prototype.toISOString writes it. Every probe
// result carries its start time, and on Node 20 toISOString costs over a microsecond (a call into
// C++ and a formatted print) on every probe of every round; the arithmetic below (civil date from
// a day count, H. Hinnant's algorithm) costs a fraction of that.

const DAY_MS = 86_400_000;
/** 9999-12-31T23:59:59.999Z: after it toISOString writes six-digit years. */
const LAST_FOUR_DIGIT_YEAR_MS = 253_402_300_799_999;

// Zero-padded numbers, looked up rather than built each time.
const padded = (length: number, count: number): readonly string[] => Array.from({ length: count }, (_, value) => String(value).padStart(length, '0'));
const TWO = padded(2, 100);
const THREE = padded(3, 1_000);
const two = (value: number): string => TWO[value] as string;

/** `YYYY-MM-DDTHH:mm:ss.` for a whole second in epoch milliseconds (1970–9999). */
const secondPrefix = (epochMs: number): string => {
  const days = Math.floor(epochMs / DAY_MS);
  let rest = epochMs - days * DAY_MS;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1_460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1_000);
  const yearText = year < 1_000 ? `000${year}`.slice(-4) : `${year}`;
  return `${yearText}-${two(month)}-${two(day)}T${two(hours)}:${two(minutes)}:${two(seconds)}.`;
};

// Probes of a round start within the same few seconds: the text up to the second is kept for
// the last second seen, so most calls only add the milliseconds.
let lastSecond = Number.NaN;
let lastPrefix = '';

/** `YYYY-MM-DDTHH:mm:ss.sssZ` for a time in epoch milliseconds; throws RangeError for NaN, like toISOString. */
export const isoInstant = (epochMs: number): string => {
  // Before 1970, fractions and six-digit years are rare: Date handles them.
  if (!Number.isInteger(epochMs) || epochMs < 0 || epochMs > LAST_FOUR_DIGIT_YEAR_MS) return new Date(epochMs).toISOString();
  const millis = epochMs % 1_000;
  const second = epochMs - millis;
  if (second !== lastSecond) {
    lastPrefix = secondPrefix(second);
    lastSecond = second;
  }
  return `${lastPrefix}${THREE[millis] as string}Z`;
};
