// 工作日历: compact month grids (Monday first), how each day counts (法定节假日
// 休 / 调休上班 班 / weekend / working day), the year's exception list as
// edited, and holiday-cn year files read in the browser before upload.
import type { CalendarDay, CalendarYearSummary, HolidayCnFile } from '@/api/models'

export const WEEKDAY_NAMES = ['一', '二', '三', '四', '五', '六', '日']

const pad = (n: number) => String(n).padStart(2, '0')
export const ymd = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`

export interface DayCell {
  date: string
  day: number
  /** 1 = Monday … 7 = Sunday. */
  weekday: number
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a `YYYY-MM-DD`, independent of the browser's zone. */
export function weekdayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number)
  const w = new Date(Date.UTC(y!, m! - 1, d!)).getUTCDay()
  return w === 0 ? 7 : w
}

export const isWeekend = (weekday: number) => weekday >= 6

/** The month as weeks of 7 slots, Monday first; slots outside the month are null. */
export function monthWeeks(year: number, month: number): (DayCell | null)[][] {
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate()
  const first = weekdayOf(ymd(year, month, 1))
  const slots: (DayCell | null)[] = Array.from({ length: first - 1 }, () => null)
  for (let d = 1; d <= days; d++) {
    const date = ymd(year, month, d)
    slots.push({ date, day: d, weekday: weekdayOf(date) })
  }
  while (slots.length % 7) slots.push(null)
  const weeks: (DayCell | null)[][] = []
  for (let i = 0; i < slots.length; i += 7) weeks.push(slots.slice(i, i + 7))
  return weeks
}

export type DayKind = 'holiday' | 'adjusted' | 'weekend' | 'workday'

/** holiday 休 (exception, off), adjusted 班 (exception, working weekend), or the plain Mon–Fri rule. */
export function dayKind(cell: DayCell, exceptions: ReadonlyMap<string, CalendarDay>): DayKind {
  const e = exceptions.get(cell.date)
  if (e) return e.is_off_day ? 'holiday' : 'adjusted'
  return isWeekend(cell.weekday) ? 'weekend' : 'workday'
}

export const byDate = (days: CalendarDay[]) => new Map(days.map((d) => [d.date, d]))

export function sortDays(days: CalendarDay[]): CalendarDay[] {
  return [...days].sort((a, b) => a.date.localeCompare(b.date))
}

/**
 * Clicking a day in the year view: a plain day becomes an exception (a weekday
 * a holiday 休, a weekend day a working day 班, named like its neighbour when
 * there is one); an exception is removed.
 */
export function toggleDay(days: CalendarDay[], cell: DayCell): CalendarDay[] {
  if (days.some((d) => d.date === cell.date)) return days.filter((d) => d.date !== cell.date)
  const off = !isWeekend(cell.weekday)
  const sorted = sortDays(days)
  const neighbour = [...sorted].reverse().find((d) => d.date < cell.date && d.is_off_day === off)
  const name = neighbour && daysBetween(neighbour.date, cell.date) <= 7 ? neighbour.name : ''
  return sortDays([...days, { date: cell.date, name, is_off_day: off }])
}

export function daysBetween(a: string, b: string): number {
  const t = (s: string) => {
    const [y, m, d] = s.split('-').map(Number)
    return Date.UTC(y!, m! - 1, d!)
  }
  return Math.round((t(b) - t(a)) / 86_400_000)
}

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/

function validDay(s: string): boolean {
  const m = DAY_RE.exec(s)
  if (!m) return false
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!))
  return d.getUTCMonth() === +m[2]! - 1 && d.getUTCDate() === +m[3]!
}

/** Why the year's exception list cannot be saved (Chinese), one line per problem. */
export function calendarProblems(year: number, days: CalendarDay[]): string[] {
  const out: string[] = []
  const seen = new Set<string>()
  days.forEach((d, i) => {
    const where = `第 ${i + 1} 行`
    if (!d.date) return void out.push(`${where}：请选择日期`)
    if (!validDay(d.date)) return void out.push(`${where}：日期“${d.date}”不合法`)
    if (!d.date.startsWith(`${year}-`)) out.push(`${where}：${d.date} 不在 ${year} 年内`)
    if (seen.has(d.date)) out.push(`${where}：${d.date} 重复`)
    seen.add(d.date)
    if (!d.name.trim()) out.push(`${where}：请填写 ${d.date} 的名称（如 春节）`)
    else if (d.name.trim().length > 30) out.push(`${where}：名称不超过 30 字`)
  })
  return out
}

export function countKinds(days: CalendarDay[]): { holidays: number; workdays: number } {
  const holidays = days.filter((d) => d.is_off_day).length
  return { holidays, workdays: days.length - holidays }
}

/** A holiday-cn year file as read from disk, or why it is not one. */
export function parseHolidayCn(text: string): { file: HolidayCnFile } | { error: string } {
  let raw: unknown
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch {
    return { error: '文件不是有效的 JSON' }
  }
  // holiday-cn names the flag `isOffDay`; the API takes `is_off_day`.
  const o = raw as { year?: unknown; days?: { name?: unknown; date?: unknown; isOffDay?: unknown }[] } | null
  if (!o || typeof o !== 'object' || !Number.isInteger(o.year) || !Array.isArray(o.days)) {
    return { error: '文件不是 holiday-cn 年度文件（应包含 year 与 days）' }
  }
  const year = o.year as number
  if (year < 2000 || year > 2100) return { error: `年份 ${year} 超出范围` }
  for (const [i, d] of o.days.entries()) {
    if (!d || typeof d.date !== 'string' || !validDay(d.date) || typeof d.isOffDay !== 'boolean') {
      return { error: `第 ${i + 1} 条记录格式错误（需要 name、date、isOffDay）` }
    }
  }
  return {
    file: { year, days: o.days.map((d) => ({ name: String(d.name ?? ''), date: d.date as string, is_off_day: d.isOffDay as boolean })) },
  }
}

/** Days before a new year that an empty next year is warned about. */
export const EMPTY_YEAR_NOTICE_DAYS = 60

/** A year the calendar has no holidays or adjusted working days for (listed with 0 / 0, or not at all). */
export const yearIsEmpty = (years: readonly CalendarYearSummary[], year: number): boolean => {
  const y = years.find((s) => s.year === year)
  return !y || y.holidays + y.workdays === 0
}

/**
 * The year to warn the calendar admin about, with the days left before it
 * starts: this year when it has no data, or next year once it is within
 * EMPTY_YEAR_NOTICE_DAYS and still empty (deadlines running into it would
 * ignore the Spring Festival). `today` is a `YYYY-MM-DD` (Asia/Shanghai).
 */
export function emptyYearNotice(years: readonly CalendarYearSummary[], today: string): { year: number; daysLeft: number } | null {
  const year = Number(today.slice(0, 4))
  if (yearIsEmpty(years, year)) return { year, daysLeft: 0 }
  const daysLeft = daysBetween(today, ymd(year + 1, 1, 1))
  if (daysLeft <= EMPTY_YEAR_NOTICE_DAYS && yearIsEmpty(years, year + 1)) return { year: year + 1, daysLeft }
  return null
}
