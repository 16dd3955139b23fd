// ISO-8601 dates and timestamps to exact integers (days and milliseconds since the Unix epoch,
// plus the microseconds below the millisecond). Date.parse is not used: it accepts many other
// shapes, reads a zone-less time as local time and drops digits below the millisecond.

export const MS_PER_DAY = 86_400_000;
/** The range of a JavaScript Date (±100,000,000 days), which also fits int64 microseconds. */
export const MAX_EPOCH_MS = 8.64e15;

// 2026-01-02T03:04:05.123456Z, 2026-01-02 03:04:05+02:00, 2026-01-02T03:04Z, ...+0530, ...-08
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface Instant {
  /** Whole milliseconds since the epoch (floored, so earlier instants are negative). */
  ms: number;
  /** Microseconds past `ms`, 0 to 999. */
  micros: number;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (the usual era-based civil calendar sum). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function civilDays(year: string, month: string, day: string): number | undefined {
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined;
  return daysFromCivil(y, m, d);
}

/** Days since the epoch of a `YYYY-MM-DD` date, or an error message. */
export function parseIsoDate(text: string): number | string {
  const match = DATE.exec(text);
  if (!match) return 'is not an ISO-8601 date (YYYY-MM-DD)';
  const days = civilDays(match[1] as string, match[2] as string, match[3] as string);
  return days ?? 'is not a valid calendar date';
}

/**
 * An ISO-8601 / RFC 3339 timestamp with a zone (Z or an offset) to an exact instant, or an error
 * message. Digits below the microsecond are dropped (floored). A timestamp without a zone is
 * refused rather than guessed: it could be UTC or the producer's local time.
 */
export function parseIsoTimestamp(text: string): Instant | string {
  const match = TIMESTAMP.exec(text);
  if (!match) {
    return DATE.test(text)
      ? 'is a date without a time; a timestamp needs a time and a zone, e.g. 2026-01-02T00:00:00Z'
      : 'is not an ISO-8601 timestamp such as 2026-01-02T03:04:05.123Z';
  }
  const [, year, month, day, hour, minute, second, fraction, zulu, sign, offsetHours, offsetMinutes] = match;
  if (zulu === undefined && sign === undefined) {
    return 'has no time zone; add Z or an offset such as +02:00';
  }
  const days = civilDays(year as string, month as string, day as string);
  if (days === undefined) return 'is not a valid calendar date';
  const h = Number(hour);
  const m = Number(minute);
  const s = second === undefined ? 0 : Number(second);
  if (h > 23 || m > 59 || s > 59) return 'is not a valid time of day';
  let offsetMs = 0;
  if (sign !== undefined) {
    const oh = Number(offsetHours);
    const om = offsetMinutes === undefined ? 0 : Number(offsetMinutes);
    if (oh > 23 || om > 59) return 'has an invalid zone offset';
    offsetMs = (sign === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  // Nine digits: milliseconds, then microseconds; nanoseconds are dropped.
  const digits = (fraction ?? '').padEnd(9, '0');
  const ms =
    days * MS_PER_DAY + h * 3_600_000 + m * 60_000 + s * 1000 + Number(digits.slice(0, 3)) - offsetMs;
  return { ms, micros: Number(digits.slice(3, 6)) };
}
