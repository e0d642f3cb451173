import { describe, expect, it } from 'vitest'
import type { UnitResult } from '@/api/models'
import { bestAndAverage, columnsOf, describeLevel, lastWholePeriods, newLevel, periodOptions, resultsCsv } from './evaluation'

const result = (code: string, score: number, rank: number, onTime: number): UnitResult => ({
  unit_code: code,
  unit_name: `区${code}`,
  score,
  rank,
  indicators: [
    { code: 'on_time_rate', name: '按时办结率', level: 3, value: onTime, score: onTime, rank: null },
    { code: 'efficiency', name: '办理效率', level: 1, value: null, score: onTime, rank: null },
  ],
})

describe('evaluation helpers', () => {
  const results = [result('A', 90, 1, 80), result('B', 70, 2, 60), result('C', 70, 2, 61)]

  it('best and average per column, and of the composite', () => {
    expect(bestAndAverage(results, '')).toEqual({ best: 90, average: 76.67 })
    expect(bestAndAverage(results, 'on_time_rate')).toEqual({ best: 80, average: 67 })
    expect(bestAndAverage([], '')).toEqual({ best: 0, average: 0 })
  })

  it('groups come before scored indicators', () => {
    expect(columnsOf(results).map((c) => c.code)).toEqual(['efficiency', 'on_time_rate'])
  })

  it('exports every unit with its rank and scores', () => {
    const lines = resultsCsv(results).replace('\ufeff', '').split('\r\n')
    expect(lines[0]).toBe('排名,单位编码,单位名称,综合得分,办理效率得分,按时办结率得分')
    expect(lines[3]).toBe('2,C,区C,70,61,61')
  })

  it('offers this and last year with their quarters', () => {
    expect(periodOptions(new Date(2026, 11, 4)).slice(0, 3)).toEqual(['2026', '2026-Q4', '2026-Q3'])
  })
})

describe('trend runs', () => {
  it('keeps the newest official run per period of the scheme, oldest first', async () => {
    const { trendRuns } = await import('./evaluation')
    const run = (run_id: number, period: string, mode = 'official', scheme = 's') => ({ run_id, period, mode, scheme })
    const picked = trendRuns([run(5, '2026-Q2'), run(3, '2026-Q1'), run(4, '2026-Q1'), run(6, '2026-Q3', 'test'), run(7, '2026-Q3', 'official', 'x')], 's')
    expect(picked.map((r) => r.run_id)).toEqual([4, 5])
  })
})

describe('indicator warning helpers', () => {
  it('gives new levels the next key with its colour', () => {
    expect(newLevel(0)).toMatchObject({ level: 'red', name: '红色预警', colour: '#F56C6C' })
    expect(newLevel(2).level).toBe('yellow')
  })

  it('reads a level as a sentence', () => {
    const level = newLevel(0)
    level.combine = 'any'
    level.conditions.push({ measure: 'pop', op: 'le', threshold: -10 })
    expect(describeLevel(level)).toBe('指标值 < 90 或 环比变化（%） ≤ -10')
  })
})

describe('trend periods', () => {
  it('ends a trend with the last whole month, quarter and year', () => {
    expect(lastWholePeriods(new Date(2026, 11, 5))).toEqual({ month: '2026-11', quarter: '2026-Q3', year: '2025' })
    expect(lastWholePeriods(new Date(2026, 0, 15))).toEqual({ month: '2025-12', quarter: '2025-Q4', year: '2025' })
    expect(lastWholePeriods(new Date(2026, 3, 1))).toEqual({ month: '2026-03', quarter: '2026-Q1', year: '2025' })
  })
})
