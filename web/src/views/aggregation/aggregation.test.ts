import { describe, expect, it } from 'vitest'
import type { LinkingRow, ReconciliationRow, Source } from '@/api/models'
import { elementRows } from './itemElements'
import { topRows } from './linking'
import { acceptRate, dailySeries, rejectionCodes, totalsOf } from './reconciliation'
import { fieldLabel, formToSource, mapToRows, rowsToMap, sourceToForm, standardFields } from './sourceForm'

const source: Source = {
  code: 'ycsl',
  name: '一窗受理系统',
  kinds: ['cases', 'case-events'],
  field_map: { sqrzjhm: 'applicant_id', bjbh: 'case_code', sxbm: 'item_code' },
  required: ['case_code', 'applicant_id'],
  dictionaries: { channel: { '01': 'window', '02': 'online' } },
  enabled: true,
}

describe('collection rules form ⇄ API', () => {
  it('turns field_map and dictionaries into editable rows and back unchanged', () => {
    const form = sourceToForm(source)
    expect(form.fieldRows).toEqual([
      { from: 'sqrzjhm', to: 'applicant_id' },
      { from: 'bjbh', to: 'case_code' },
      { from: 'sxbm', to: 'item_code' },
    ])
    expect(form.dictionaries).toEqual([
      { field: 'channel', rows: [{ from: '01', to: 'window' }, { from: '02', to: 'online' }] },
    ])
    const { source: back, errors } = formToSource(form)
    expect(errors).toEqual([])
    expect(back).toEqual(source)
  })

  it('starts a new source empty and enabled', () => {
    expect(sourceToForm(null)).toEqual({
      code: '',
      name: '',
      kinds: [],
      fieldRows: [],
      required: [],
      dictionaries: [],
      enabled: true,
    })
  })

  it('trims values, drops blank rows and empty dictionaries', () => {
    const form = sourceToForm(null)
    form.code = ' sys1 '
    form.name = ' 系统一 '
    form.kinds = ['evaluations']
    form.fieldRows = [
      { from: ' pjsj ', to: 'rated_at ' },
      { from: '', to: '' },
    ]
    form.dictionaries = [
      { field: 'satisfaction', rows: [{ from: '', to: '' }] },
      { field: '', rows: [] },
    ]
    form.required = ['rated_at', 'rated_at']
    const { source: s, errors } = formToSource(form)
    expect(errors).toEqual([])
    expect(s).toEqual({
      code: 'sys1',
      name: '系统一',
      kinds: ['evaluations'],
      field_map: { pjsj: 'rated_at' },
      required: ['rated_at'],
      dictionaries: {},
      enabled: true,
    })
  })

  it('reports half-filled rows, repeated source fields and two fields feeding one', () => {
    const form = sourceToForm(null)
    form.fieldRows = [
      { from: 'a', to: 'case_code' },
      { from: 'a', to: 'item_code' },
      { from: 'b', to: 'case_code' },
      { from: 'c', to: '' },
      { from: '', to: 'note' },
    ]
    form.dictionaries = [
      { field: 'channel', rows: [{ from: '1', to: 'window' }] },
      { field: 'channel', rows: [{ from: '2', to: 'online' }] },
      { field: '', rows: [{ from: 'x', to: 'y' }] },
    ]
    const { errors } = formToSource(form)
    expect(errors).toEqual([
      '字段映射第 2 行：来源字段“a”重复',
      '字段映射第 3 行：标准字段“case_code”已由“a”映射',
      '字段映射第 4 行：请选择或填写标准字段',
      '字段映射第 5 行：请填写来源字段',
      '代码字典“channel”重复，请合并为一个',
      '第 3 个代码字典：请选择标准字段',
    ])
  })

  it('lets several source codes map to one standard value in a dictionary', () => {
    const { map, errors } = rowsToMap(
      [
        { from: '01', to: 'window' },
        { from: '1', to: 'window' },
      ],
      { what: '字典', fromName: '来源值', toName: '标准值' },
    )
    expect(errors).toEqual([])
    expect(map).toEqual({ '01': 'window', '1': 'window' })
    // a JSON object lists integer-like keys first: the rows come back in that order
    expect(mapToRows(map)).toEqual([
      { from: '1', to: 'window' },
      { from: '01', to: 'window' },
    ])
  })

  it('offers the standard fields of the chosen kinds, each once', () => {
    const fields = standardFields(['evaluations', 'cases']).map((f) => f.field)
    expect(fields[0]).toBe('case_code') // kind order: cases first
    expect(fields).toContain('satisfaction')
    expect(fields).not.toContain('question')
    expect(new Set(fields).size).toBe(fields.length)
    expect(standardFields([])).toEqual([])
    expect(fieldLabel('applicant_id')).toBe('申请人证件号码（applicant_id）')
    expect(fieldLabel('custom_x')).toBe('custom_x')
  })
})

const row = (day: string, source: string, received: number, accepted: number, duplicates: number, byCode: Record<string, number>): ReconciliationRow => ({
  day,
  source,
  kind: 'cases',
  received,
  accepted,
  corrected: 0,
  duplicates,
  rejected: Object.values(byCode).reduce((a, b) => a + b, 0),
  rejected_by_code: byCode,
})

describe('reconciliation', () => {
  const rows = [
    row('2026-11-21', 'ycsl', 100, 95, 2, { 'item.unknown': 2, 'time.invalid': 1 }),
    row('2026-11-20', 'ycsl', 50, 50, 0, {}),
    row('2026-11-21', 'manual', 10, 7, 0, { 'item.unknown': 3 }),
  ]

  it('totals every row and merges rejection reasons', () => {
    expect(totalsOf(rows)).toEqual({
      received: 160,
      accepted: 152,
      corrected: 0,
      duplicates: 2,
      rejected: 6,
      rejected_by_code: { 'item.unknown': 5, 'time.invalid': 1 },
    })
    expect(totalsOf([])).toMatchObject({ received: 0, rejected_by_code: {} })
  })

  it('orders rejection reasons by count', () => {
    expect(rejectionCodes({ 'time.invalid': 1, 'item.unknown': 5, 'a.zero': 0 })).toEqual([
      { code: 'item.unknown', count: 5 },
      { code: 'time.invalid', count: 1 },
    ])
    expect(rejectionCodes(undefined)).toEqual([])
  })

  it('sums per day in day order for the chart', () => {
    expect(dailySeries(rows)).toEqual({
      days: ['2026-11-20', '2026-11-21'],
      received: [50, 110],
      accepted: [50, 102],
      rejected: [0, 6],
    })
  })

  it('computes the accepted share', () => {
    expect(acceptRate({ received: 200, accepted: 150 })).toBe(0.75)
    expect(acceptRate({ received: 0, accepted: 0 })).toBeNull()
  })
})

describe('linking chart', () => {
  const r = (name: string, consultations: number, applications: number): LinkingRow => ({
    key: name,
    name,
    consultations,
    consulted_not_applied: 0,
    applications,
    applied_without_consulting: 0,
    consultations_per_application: 0,
  })
  it('keeps the busiest groups', () => {
    const rows = [r('甲', 1, 1), r('乙', 10, 0), r('丙', 3, 5), r('丁', 0, 0)]
    expect(topRows(rows, 2).map((x) => x.name)).toEqual(['乙', '丙'])
    expect(topRows(rows, 10)).toHaveLength(4)
  })
})

describe('item elements', () => {
  it('labels known elements and renders values for reading', () => {
    expect(
      elementRows({
        accept_conditions: '申请人须年满18周岁',
        fee: false,
        handling_place: ['朝阳区政务服务中心', '网上办理'],
        special_procedures: [{ name: '专家评审', days: 10 }],
        自定义要素: null,
      }),
    ).toEqual([
      { key: 'accept_conditions', label: '受理条件', text: '申请人须年满18周岁', json: false },
      { key: 'fee', label: '是否收费', text: '否', json: false },
      { key: 'handling_place', label: '办理地点', text: '朝阳区政务服务中心、网上办理', json: false },
      { key: 'special_procedures', label: '特别程序', text: '[\n  {\n    "name": "专家评审",\n    "days": 10\n  }\n]', json: true },
      { key: '自定义要素', label: '自定义要素', text: '—', json: false },
    ])
    expect(elementRows(null)).toEqual([])
  })
})

describe('reconciliation chart (issue 16 item 9)', () => {
  it('counts in whole records and keeps a single day slim', async () => {
    const { dailyChartOption } = await import('./reconciliation')
    const o = dailyChartOption({ days: ['2026-12-01'], received: [1], accepted: [1], rejected: [0] }) as {
      yAxis: { minInterval?: number }[]
      series: { type: string; barMaxWidth?: number }[]
    }
    for (const axis of o.yAxis) expect(axis.minInterval).toBe(1)
    for (const s of o.series.filter((x) => x.type === 'bar')) expect(s.barMaxWidth).toBeGreaterThan(0)
  })
})
