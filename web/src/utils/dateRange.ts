// Date-range shortcuts (UI.md: 今天, 近7天, 近30天, 本月, 本季度, 本年), computed
// on the Asia/Shanghai calendar. Ranges are inclusive `YYYY-MM-DD` pairs.
import { shanghaiParts } from './format'

export type RangeKind = 'today' | 'last7' | 'last30' | 'month' | 'quarter' | 'year'

const pad = (n: number) => String(n).padStart(2, '0')
const ymd = (y: number, m: number, d: number) => {
  // normalise overflow / underflow through Date.UTC
  const t = new Date(Date.UTC(y, m - 1, d))
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`
}

export function dateRange(kind: RangeKind, now: Date = new Date()): [string, string] {
  const { year, month, day } = shanghaiParts(now)
  const today = ymd(year, month, day)
  switch (kind) {
    case 'today':
      return [today, today]
    case 'last7':
      return [ymd(year, month, day - 6), today]
    case 'last30':
      return [ymd(year, month, day - 29), today]
    case 'month':
      return [ymd(year, month, 1), today]
    case 'quarter':
      return [ymd(year, Math.floor((month - 1) / 3) * 3 + 1, 1), today]
    case 'year':
      return [ymd(year, 1, 1), today]
  }
}

/** A `YYYY-MM-DD` as a local-midnight Date (what el-date-picker formats back to the same day). */
export function dayToPickerDate(day: string): Date {
  const [y, m, d] = day.split('-').map(Number)
  return new Date(y!, m! - 1, d!)
}

const LABELS: [string, RangeKind][] = [
  ['今天', 'today'],
  ['近7天', 'last7'],
  ['近30天', 'last30'],
  ['本月', 'month'],
  ['本季度', 'quarter'],
  ['本年', 'year'],
]

/** `shortcuts` prop for el-date-picker type="daterange". */
export const dateRangeShortcuts = LABELS.map(([text, kind]) => ({
  text,
  value: () => dateRange(kind).map(dayToPickerDate),
}))
