import { describe, expect, it } from 'vitest'
import type { QualityCheck, QualityRun } from '@/api/models'
import { actionName, codeRows, isFinished, regionRows } from './quality'

const checks: QualityCheck[] = [{ code: 'general.handling_mode', category: 'general', name: '办理形式代码不在代码表中', severity: 'error', enabled: true }]

const run = (over: Partial<QualityRun>): QualityRun => ({
  id: 1,
  state: 'done',
  from: '2026-03-01T00:00:00+08:00',
  to: '2026-04-01T00:00:00+08:00',
  region: null,
  cases_checked: 10,
  failures: [],
  by_region: [],
  error: null,
  created_at: '2026-04-01T00:00:00+08:00',
  finished_at: null,
  ...over,
})

describe('quality run views', () => {
  it('names codes from the library and keeps unknown ones', () => {
    const r = run({ failures: [{ code: 'general.handling_mode', count: 2 }, { code: 'x.new', count: 1 }] })
    expect(codeRows(r, checks)).toEqual([
      { code: 'general.handling_mode', name: '办理形式代码不在代码表中', severity: 'error', count: 2 },
      { code: 'x.new', name: 'x.new', severity: null, count: 1 },
    ])
  })

  it('sums regions over codes, most first', () => {
    const r = run({
      by_region: [
        { region_code: '110105', region_name: '朝阳区', code: 'a', count: 1 },
        { region_code: '110108', region_name: null, code: 'a', count: 3 },
        { region_code: '110105', region_name: '朝阳区', code: 'b', count: 1 },
      ],
    })
    expect(regionRows(r)).toEqual([
      { region: '110108', count: 3 },
      { region: '朝阳区', count: 2 },
    ])
  })

  it('knows when a run is over', () => {
    expect(isFinished(null)).toBe(false)
    expect(isFinished(run({ state: 'running' }))).toBe(false)
    expect(isFinished(run({ state: 'failed' }))).toBe(true)
  })
})

describe('actionName', () => {
  it('names stage kinds and auxiliary steps, and keeps unknown steps as sent', () => {
    expect(actionName('accepted')).toBe('受理')
    expect(actionName('assigned')).toBe('分办')
    expect(actionName('盖章')).toBe('盖章')
  })
})
