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

// A time on a usage chart, in the device's calendar as the app sends it (YYYY-MM, YYYY-MM-DD or
// YYYY-MM-DDTHH:00), in words: "short" for an axis ("Oct", "Mon 26", "1 PM"), "long" for
// headings and tables ("October 2026", "Monday, October 26, 2026", "1:00 PM").
export function calendar(locale, text, style) {
  const [date, time] = String(text).split("T");
  const [year, month, dayOfMonth] = date.split("-").map(Number);
  const hour = time === undefined ? 0 : Number(time.slice(0, 2));
  if (!year || !month || Number.isNaN(hour)) return text;
  const short = style === "short";
  let options;
  if (time !== undefined) options = short ? { hour: "numeric" } : { hour: "numeric", minute: "2-digit" };
  else if (dayOfMonth) options = short ? { weekday: "short", day: "numeric" } : { weekday: "long", year: "numeric", month: "long", day: "numeric" };
  else options = short ? { month: "short" } : { month: "long", year: "numeric" };
  return new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" }).format(Date.UTC(year, month - 1, dayOfMonth || 1, hour));
}

// A number with at most `digits` decimals: "1,234.5", "1.234,5".
export function number(locale, value, digits) {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value);
}

// A change in whole percent with its sign: "+6%", "-12 %".
export function change(locale, percent) {
  return new Intl.NumberFormat(locale, { style: "percent", signDisplay: "exceptZero" }).format(percent / 100);
}
