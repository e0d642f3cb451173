// Display formatting shared by every page. All times are shown in Asia/Shanghai
// (UTC+8, no daylight saving), whatever the browser's own time zone is.

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000
export const EMPTY = '—'

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

export interface DateParts {
  year: number
  month: number // 1..12
  day: number
  hour: number
  minute: number
  second: number
}

/** Wall-clock parts of an instant in Asia/Shanghai. */
export function shanghaiParts(d: Date): DateParts {
  const s = new Date(d.getTime() + SHANGHAI_OFFSET_MS)
  return {
    year: s.getUTCFullYear(),
    month: s.getUTCMonth() + 1,
    day: s.getUTCDate(),
    hour: s.getUTCHours(),
    minute: s.getUTCMinutes(),
    second: s.getUTCSeconds(),
  }
}

function toDate(value: string | number | Date | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null
  const d = value instanceof Date ? value : new Date(value)
  return Number.isNaN(d.getTime()) ? null : d
}

/** `YYYY-MM-DD HH:mm` (or with `:ss`); `—` for empty, the raw text when unparsable. */
export function formatDateTime(
  value: string | number | Date | null | undefined,
  opts: { seconds?: boolean } = {},
): string {
  const d = toDate(value)
  if (!d) return value === null || value === undefined || value === '' ? EMPTY : String(value)
  const p = shanghaiParts(d)
  const base = `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`
  return opts.seconds ? `${base}:${pad(p.second)}` : base
}

/** `YYYY-MM-DD`. */
export function formatDate(value: string | number | Date | null | undefined): string {
  const d = toDate(value)
  if (!d) return value === null || value === undefined || value === '' ? EMPTY : String(value)
  const p = shanghaiParts(d)
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`
}

const numberFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 })

/** Thousands separators: 1234567 → `1,234,567`; `—` for null / NaN. */
export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return EMPTY
  return numberFmt.format(n)
}

/** A list's total: `1,234`, or `10,000+` when the server stopped counting (a lower bound). */
export function formatTotal(n: number, exact = true): string {
  return exact ? formatNumber(n) : `${formatNumber(n)}+`
}

/** Fixed decimals with thousands separators: 2.345 → `2.3`; `—` for null / NaN. */
export function formatDecimal(n: number | null | undefined, digits = 1): string {
  if (n === null || n === undefined || Number.isNaN(n)) return EMPTY
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

/** Rate 0..1 as a percentage with one decimal: 0.1234 → `12.3%`. */
export function formatPercent(rate: number | null | undefined, digits = 1): string {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return EMPTY
  return `${(rate * 100).toFixed(digits)}%`
}

/** `abcdef…1234` for long hashes / tokens. */
export function shortHash(hash: string | null | undefined, head = 8, tail = 6): string {
  if (!hash) return EMPTY
  return hash.length <= head + tail + 1 ? hash : `${hash.slice(0, head)}…${hash.slice(-tail)}`
}

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/

/** `2026-11-21` → `2026-11-21T00:00:00+08:00` (RFC 3339, start of the day). */
export function dayStart(day: string): string {
  if (!DAY_RE.test(day)) throw new Error(`invalid day: ${day}`)
  return `${day}T00:00:00+08:00`
}

/** `2026-11-21` → `2026-11-21T23:59:59+08:00` (RFC 3339, last second of the day). */
export function dayEnd(day: string): string {
  if (!DAY_RE.test(day)) throw new Error(`invalid day: ${day}`)
  return `${day}T23:59:59+08:00`
}

export function isDay(s: string): boolean {
  const m = DAY_RE.exec(s)
  if (!m) return false
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!))
  return d.getUTCMonth() === +m[2]! - 1 && d.getUTCDate() === +m[3]!
}

/** Pretty JSON for detail panes (rendered as text, never as HTML). */
export function prettyJson(value: unknown): string {
  if (value === null || value === undefined) return EMPTY
  if (typeof value === 'string') return value
  try {
    return JSON.stringify(value, null, 2)
  } catch {
    return String(value)
  }
}

/** The first `max` characters of a free text (up to 65,536 arrive), with … when cut. */
export function excerpt(text: string | null | undefined, max = 200): string {
  if (!text) return ''
  const chars = Array.from(text)
  return chars.length <= max ? text : chars.slice(0, max).join('') + '…'
}
