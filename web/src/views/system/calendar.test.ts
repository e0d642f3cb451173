import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import type { CalendarDay } from '@/api/models'
import { byDate, calendarProblems, countKinds, dayKind, emptyYearNotice, monthWeeks, parseHolidayCn, toggleDay, weekdayOf } from './calendar'
import MonthGrid from './MonthGrid.vue'

const days: CalendarDay[] = [
  { date: '2026-02-15', name: '春节', is_off_day: true },
  { date: '2026-02-14', name: '春节', is_off_day: false },
]

describe('working-day calendar', () => {
  it('lays a month out Monday first', () => {
    // 2026-02-01 is a Sunday: six empty slots first
    const weeks = monthWeeks(2026, 2)
    expect(weeks[0]!.slice(0, 6)).toEqual([null, null, null, null, null, null])
    expect(weeks[0]![6]).toEqual({ date: '2026-02-01', day: 1, weekday: 7 })
    expect(weeks.flat().filter(Boolean)).toHaveLength(28)
    expect(weeks.every((w) => w.length === 7)).toBe(true)
    expect(weekdayOf('2026-10-01')).toBe(4)
  })

  it('colours holidays 休, adjusted weekends 班, and keeps plain days', () => {
    const map = byDate(days)
    const cell = (date: string) => ({ date, day: Number(date.slice(8)), weekday: weekdayOf(date) })
    expect(dayKind(cell('2026-02-15'), map)).toBe('holiday')
    expect(dayKind(cell('2026-02-14'), map)).toBe('adjusted')
    expect(dayKind(cell('2026-02-21'), map)).toBe('weekend')
    expect(dayKind(cell('2026-02-16'), map)).toBe('workday')
    expect(countKinds(days)).toEqual({ holidays: 1, workdays: 1 })
  })

  it('toggles a clicked day: weekday → 休, weekend → 班 (named like the holiday next to it), exception → removed', () => {
    const mon = { date: '2026-02-16', day: 16, weekday: 1 }
    const added = toggleDay(days, mon)
    expect(added.find((d) => d.date === '2026-02-16')).toEqual({ date: '2026-02-16', name: '春节', is_off_day: true })
    expect(added.map((d) => d.date)).toEqual(['2026-02-14', '2026-02-15', '2026-02-16'])
    const sat = { date: '2026-09-26', day: 26, weekday: 6 }
    expect(toggleDay(days, sat).find((d) => d.date === '2026-09-26')).toEqual({ date: '2026-09-26', name: '', is_off_day: false })
    expect(toggleDay(added, mon)).toHaveLength(2)
  })

  it('refuses bad, duplicate, out-of-year and unnamed days', () => {
    expect(
      calendarProblems(2026, [
        { date: '2026-02-30', name: 'x', is_off_day: true },
        { date: '2027-01-01', name: '元旦', is_off_day: true },
        { date: '2025-12-31', name: '元旦', is_off_day: false },
        { date: '2026-05-01', name: '劳动节', is_off_day: true },
        { date: '2026-05-01', name: ' ', is_off_day: true },
      ]),
    ).toEqual([
      '第 1 行：日期“2026-02-30”不合法',
      '第 2 行：2027-01-01 不在 2026 年内',
      '第 3 行：2025-12-31 不在 2026 年内',
      '第 5 行：2026-05-01 重复',
      '第 5 行：请填写 2026-05-01 的名称（如 春节）',
    ])
    expect(calendarProblems(2026, days)).toEqual([])
  })

  it('reads holiday-cn files and explains what is wrong with others', () => {
    const text = JSON.stringify({ $schema: 'x', year: 2027, papers: [], days: [{ name: '元旦', date: '2027-01-01', isOffDay: true }] })
    expect(parseHolidayCn(`\uFEFF${text}`)).toEqual({ file: { year: 2027, days: [{ name: '元旦', date: '2027-01-01', is_off_day: true }] } })
    expect(parseHolidayCn('nope')).toEqual({ error: '文件不是有效的 JSON' })
    expect(parseHolidayCn('{"days": []}')).toEqual({ error: '文件不是 holiday-cn 年度文件（应包含 year 与 days）' })
    expect(parseHolidayCn('{"year": 2027, "days": [{"date": "2027-13-01", "isOffDay": true}]}')).toEqual({
      error: '第 1 条记录格式错误（需要 name、date、isOffDay）',
    })
  })
})

describe('MonthGrid', () => {
  it('marks holidays 休, adjusted weekends 班 and counted days, and picks days when editable', async () => {
    const w = mount(MonthGrid, {
      props: { year: 2026, month: 2, exceptions: byDate(days), marked: new Set(['2026-02-16']), editable: true },
    })
    expect(w.find('[data-date="2026-02-15"]').classes()).toContain('holiday')
    expect(w.find('[data-date="2026-02-15"]').text()).toContain('休')
    expect(w.find('[data-date="2026-02-14"]').text()).toContain('班')
    expect(w.find('[data-date="2026-02-21"]').classes()).toContain('weekend')
    expect(w.find('[data-date="2026-02-16"]').classes()).toContain('marked')
    await w.find('[data-date="2026-02-16"]').trigger('click')
    expect(w.emitted('pick')).toEqual([[{ date: '2026-02-16', day: 16, weekday: 1 }]])
  })
})

describe('empty calendar years (issue 16 item 14)', () => {
  const summary = (year: number, holidays: number, workdays: number) => ({ year, source: 'imported' as const, holidays, workdays, updated_at: null })
  const years = [summary(2026, 33, 6), summary(2027, 0, 0)]
  it('warns once next year is within 60 days and still empty', () => {
    expect(emptyYearNotice(years, '2026-12-05')).toEqual({ year: 2027, daysLeft: 27 })
    expect(emptyYearNotice(years, '2026-11-02')).toEqual({ year: 2027, daysLeft: 60 })
    expect(emptyYearNotice(years, '2026-10-31')).toBeNull()
    expect(emptyYearNotice([summary(2026, 33, 6)], '2026-12-05')).toEqual({ year: 2027, daysLeft: 27 })
    expect(emptyYearNotice([...years.slice(0, 1), summary(2027, 30, 5)], '2026-12-05')).toBeNull()
  })
  it('warns about this year when it has no data', () => {
    expect(emptyYearNotice(years, '2027-01-04')).toEqual({ year: 2027, daysLeft: 0 })
  })
})
