import { describe, expect, it } from 'vitest'
import type { SimulationResult } from '@/api/models'
import { caseOverdue, clockPercent, clockTone, remainingText } from './clocks'
import { actorText, noteLabel, subjectHeader, subjectLink } from './links'
import { deltaText, filterSample, levelRows, rankChartOption } from './simulation'
import { availableActions, noteProblem, warningQuery } from './warningActions'

describe('stage clocks', () => {
  it('are green below 80 %, yellow from 80 %, red when overdue', () => {
    expect(clockTone({ status: 'running', used_share: 0.5, remaining: 5 })).toBe('success')
    expect(clockTone({ status: 'running', used_share: 0.8, remaining: 2 })).toBe('warning')
    expect(clockTone({ status: 'overdue', used_share: 1.2, remaining: -1 })).toBe('danger')
    expect(clockTone({ status: 'completed_late', used_share: 0.9, remaining: 0 })).toBe('danger')
    expect(clockTone({ status: 'completed', used_share: 0.3, remaining: 7 })).toBe('success')
  })

  it('draw the bar up to 100 % and say what is left or overrun', () => {
    expect(clockPercent({ used_share: 0.456 })).toBe(46)
    expect(clockPercent({ used_share: 1.7 })).toBe(100)
    expect(remainingText({ remaining: 3, unit: 'working' })).toBe('剩余 3 工作日')
    expect(remainingText({ remaining: -2, unit: 'natural' })).toBe('超期 2 自然日')
  })

  it('make a case 已超期 when the server says so or a clock runs overdue', () => {
    expect(caseOverdue({ overdue: true })).toBe(true)
    expect(caseOverdue({ overdue: false, clocks: [{ status: 'running' }, { status: 'overdue' }] })).toBe(true)
    expect(caseOverdue({ clocks: [{ status: 'running' }, { status: 'completed' }] })).toBe(false)
    expect(caseOverdue({ overdue: false })).toBe(false)
    expect(caseOverdue({})).toBe(false)
  })
})

describe('warning subjects', () => {
  it('link a case to its detail and a consultation to the searched 咨询数据 list', () => {
    expect(subjectLink('approval', 'BJ0105')).toEqual({ name: 'agg-case', params: { caseCode: 'BJ0105' } })
    expect(subjectLink('consultation', 'ZX1101')).toEqual({ name: 'agg-consultations', query: { q: 'ZX1101' } })
  })
})

describe('warning actions', () => {
  it('depend on the status; closed and false positives refuse all', () => {
    expect(availableActions('open')).toEqual(['acknowledge', 'handle', 'false_positive'])
    expect(availableActions('acknowledged')).toEqual(['handle', 'false_positive'])
    expect(availableActions('closed')).toEqual([])
    expect(availableActions('false_positive')).toEqual([])
    expect(availableActions('unknown')).toEqual([])
  })

  it('need a note of 1–500 characters', () => {
    expect(noteProblem('  ', 'handle')).toBe('请填写处置说明')
    expect(noteProblem('x'.repeat(501), 'false_positive')).toBe('误报原因不能超过 500 字')
    expect(noteProblem('已电话督办', 'handle')).toBe('')
  })

  it('send list filters with whole days as RFC 3339 bounds', () => {
    expect(warningQuery({ level: 'red', status: '', from: '2026-03-01', to: '2026-03-31', case: 'B1' })).toEqual({
      level: 'red',
      case: 'B1',
      from: '2026-03-01T00:00:00+08:00',
      to: '2026-03-31T23:59:59+08:00',
    })
  })
})

describe('simulation', () => {
  const result: SimulationResult = {
    cases: 12000,
    truncated: false,
    elapsed_ms: 0,
    by_level: { yellow: 40, red: 12, orange: 3 },
    by_district: [
      { code: '110105', name: '朝阳区', count: 20 },
      { code: '110108', name: '海淀区', count: 32 },
    ],
    by_department: [],
    by_item: [],
    sample: [
      { case_code: 'A', level: 'red', item_name: '事项甲', region_name: '朝阳区', region_code: '110105', district_code: '110105', at: '2026-03-01T10:00:00+08:00' },
      { case_code: 'B', level: 'yellow', item_name: '事项乙', region_name: '海淀区', region_code: '110108', district_code: '110108', at: '2026-03-02T10:00:00+08:00' },
    ],
    live: { by_level: { yellow: 35, red: 12 } },
    diff: { added: 6, removed: 1, changed_level: 2 },
  }

  it('compares each level with the live version, draft levels first', () => {
    const rows = levelRows(result, [
      { key: 'yellow', name: '黄灯', colour: '#E6A23C' },
      { key: 'red', name: '红灯', colour: '#F56C6C' },
    ])
    expect(rows.map((r) => [r.key, r.name, r.count, r.live, r.delta])).toEqual([
      ['yellow', '黄灯', 40, 35, 5],
      ['red', '红灯', 12, 12, 0],
      ['orange', 'orange', 3, 0, 3],
    ])
    expect(levelRows({ ...result, live: null }, [])[0]!.delta).toBeNull()
    expect([deltaText(5), deltaText(-2), deltaText(0), deltaText(null)]).toEqual(['+5', '-2', '±0', ''])
  })

  it('charts the largest groups with the largest on top', () => {
    const opt = rankChartOption(result.by_district, '预警数', '#409EFF') as { yAxis: { data: string[] }; series: { data: number[] }[] }
    expect(opt.yAxis.data).toEqual(['朝阳区', '海淀区'])
    expect(opt.series[0]!.data).toEqual([20, 32])
  })

  it('filters the sample by a clicked district or item', () => {
    expect(filterSample(result.sample, { dimension: 'region', name: '海淀区' }).map((s) => s.case_code)).toEqual(['B'])
    expect(filterSample(result.sample, { dimension: 'item', name: '事项甲' }).map((s) => s.case_code)).toEqual(['A'])
    expect(filterSample(result.sample, null)).toHaveLength(2)
  })
})

describe('warning words (issue 16 item 6)', () => {
  it('names the subject column after what the rows are', () => {
    expect(subjectHeader(['approval', 'acceptance'])).toBe('办件编号')
    expect(subjectHeader(['consultation'])).toBe('咨询编号')
    expect(subjectHeader(['consultation', 'approval'])).toBe('办件/咨询编号')
    expect(subjectHeader([])).toBe('办件编号')
  })
  it('labels a false-positive reason as such', () => {
    expect(noteLabel('false_positive')).toBe('误报原因')
    expect(noteLabel('handled')).toBe('处置说明')
  })
  it('shows people by name', () => {
    expect(actorText('chaoyang', '朝阳区运营专员')).toBe('操作人：朝阳区运营专员')
    expect(actorText('gone', null)).toBe('操作人：gone')
    expect(actorText('system', null)).toBe('系统')
  })
})

describe('simulation rank charts (issue 16 item 9)', () => {
  it('label items of the same name apart', () => {
    const o = rankChartOption(
      [
        { code: '1101050000ITEM000001', name: '食品经营许可', count: 3 },
        { code: '1101080000ITEM000002', name: '食品经营许可', count: 2 },
      ],
      '预警数',
      '#975FE5',
    ) as { yAxis: { data: string[] } }
    expect(new Set(o.yAxis.data).size).toBe(2)
    expect(o.yAxis.data).toContain('食品经营许可（…000001）')
  })
})
