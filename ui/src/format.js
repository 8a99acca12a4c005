// How numbers, money, dates and times read in the customer's language, through the webview's
// Intl (ICU): nothing of it is compiled into the WebAssembly module. Every function answers its
// input unchanged when it cannot read it, so a bad value shows as sent instead of failing.

// An amount in minor units (a string of digits, possibly negative) of an ISO 4217 currency with
// `digits` minor units, e.g. ("9275", "USD", 2) → "$92.75" in en-US, "92,75 US$" in es.
export function money(locale, minor, currency, digits) {
  const amount = Number(minor) / 10 ** digits;
  if (!Number.isFinite(amount)) return `${currency} ${minor}`;
  try {
    return new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(amount);
  } catch {
    return `${currency} ${amount.toFixed(digits)}`;
  }
}

// A moment (RFC 3339) in the device's time zone: "Nov 25, 2026, 7:18 PM".
export function moment(locale, rfc3339) {
  const date = new Date(rfc3339);
  if (Number.isNaN(date.getTime())) return rfc3339;
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

// A calendar day (YYYY-MM-DD) as UTC midnight, or NaN.
function day(ymd) {
  const [year, month, date] = String(ymd).split("-").map(Number);
  if (!year || !month || !date) return Number.NaN;
  return Date.UTC(year, month - 1, date);
}

// A billing period: "Oct 1 – 31, 2026", "1–31 oct 2026". Calendar days, never shifted by the
// time zone.
export function period(locale, start, end) {
  const from = day(start);
  const to = day(end);
  if (Number.isNaN(from) || Number.isNaN(to) || to < from) return `${start} – ${end}`;
  return new Intl.DateTimeFormat(locale, {
    year: "numeric",
    month: "short",
    day: "numeric",
    timeZone: "UTC",
  }).formatRange(from, to);
}

// Days from the device's today to a calendar day: 0 today, 1 tomorrow, -2 two days ago; NaN
// when the day cannot be read.
export function daysUntil(ymd) {
  const now = new Date();
  const today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  return Math.round((day(ymd) - today) / 86400000);
}

// A number of days from today in words: "today", "tomorrow", "in 3 days", "2 days ago".
export function relativeDays(locale, days) {
  const numeric = Math.abs(days) <= 1 ? "auto" : "always";
  return new Intl.RelativeTimeFormat(locale, { numeric }).format(days, "day");
}

// How long ago, from seconds: "now", "5 minutes ago", "3 hours ago", "2 days ago".
export function ago(locale, seconds) {
  const words = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  if (seconds < 60) return words.format(0, "second");
  if (seconds < 3600) return words.format(-Math.floor(seconds / 60), "minute");
  if (seconds < 86400) return words.format(-Math.floor(seconds / 3600), "hour");
  return relativeDays(locale, -Math.floor(seconds / 86400));
}
