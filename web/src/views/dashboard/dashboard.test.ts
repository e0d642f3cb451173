import { describe, expect, it } from 'vitest'
import type { DashboardOverview } from '@/api/models'
import { dashboardApi } from './api'
import { axisDate, funnelOption, levelOfSlice, levelOption, regionOption, satisfactionOption, trendOption, wordCloudOption } from './charts'
import { caseCardsOf, funnelSteps, labelRegions, periodDays, rateText, stageCards, sumOf } from './figures'
import { apiQuery, defaultFilters, filtersFromQuery, filtersToQuery, hotwordQuery, isDefault, type DashFilters } from './filters'
import { casesLink, caveat, consultationsLink, warningsLink } from './links'

// 2026-11-21 10:00 in Shanghai.
const NOW = new Date('2026-11-21T02:00:00Z')

const f = (patch: Partial<DashFilters> = {}): DashFilters => ({ ...defaultFilters(NOW), ...patch })

type Series = { name: string; data: unknown[]; itemStyle?: { color: string }; tooltip?: { valueFormatter: (v: unknown) => string } }
type Call = (p: unknown) => string

const overview = (patch: Partial<DashboardOverview> = {}): DashboardOverview => ({
  from: '2026-10-23',
  to: '2026-11-21',
  granularity: 'day',
  cases: { total: 12345, accepted: 12000, completed: 8000, on_time: 7000, overdue: 321, on_time_rate: 0.875 },
  consultations: { total: 3000 },
  warnings: {
    total: 10,
    by_stage: {
      consultation: { total: 1, red: 0, yellow: 1, unread: 1 },
      acceptance: { total: 4, red: 1, yellow: 3, unread: 0 },
      approval: { total: 5, red: 2, yellow: 3, unread: 2 },
      special_procedure: { total: 0, red: 0, yellow: 0, unread: 0 },
      immediate: { total: 0, red: 0, yellow: 0, unread: 0 },
    },
    by_level: { red: 3, yellow: 7 },
    unread: 3,
  },
  by_region: [],
  by_department: [],
  top_items: [],
  funnel: { consultations: 3000, applications: 12345, accepted: 12000, completed: 8000, on_time: 7000 },
  trend: [],
  ...patch,
})

describe('dashboard filters in the URL', () => {
  it('opens on the last 30 days with nothing else narrowed, and keeps the URL clean', () => {
    const d = filtersFromQuery({}, NOW)
    expect(d).toEqual({ from: '2026-10-23', to: '2026-11-21', region: '', department: '', item: '', stage: '', applicant_type: '' })
    expect(filtersToQuery(d, NOW)).toEqual({})
    expect(isDefault(d, NOW)).toBe(true)
  })

  it('restores a shared or reloaded view from its query, and writes it back the same', () => {
    const query = { from: '2026-11-01', to: '2026-11-10', region: '110105', department: 'D001', item: 'ITEM-1', stage: 'approval', applicant_type: 'org' }
    const st = filtersFromQuery(query, NOW)
    expect(st).toEqual(query)
    expect(filtersToQuery(st, NOW)).toEqual(query)
    expect(isDefault(st, NOW)).toBe(false)
  })

  it('ignores malformed values instead of showing a broken page', () => {
    const st = filtersFromQuery(
      { from: '2026-11-30', to: '2026-11-01', stage: 'payment', applicant_type: 'robot', region: '<script>', item: ['A1', 'A2'] },
      NOW,
    )
    expect(st).toEqual(f({ item: 'A1' }))
    expect(filtersFromQuery({ from: '2026-02-30', to: '2026-03-01' }, NOW).from).toBe('2026-10-23')
  })

  it('sends every filter to the overview, but only period / region / department / item to hot words', () => {
    const st = f({ region: '110105', stage: 'acceptance', applicant_type: 'person' })
    expect(apiQuery(st)).toEqual({ from: '2026-10-23', to: '2026-11-21', region: '110105', stage: 'acceptance', applicant_type: 'person' })
    expect(hotwordQuery(st, 'frequency')).toEqual({ from: '2026-10-23', to: '2026-11-21', region: '110105', method: 'frequency', limit: 100 })
  })

  it('exports a table for exactly the filters on screen', () => {
    const url = dashboardApi.exportUrl('xlsx', 'by_region', f({ region: '110105' }))
    const u = new URL(url, 'http://x')
    expect(u.pathname).toBe('/api/v1/dashboard/export')
    expect(Object.fromEntries(u.searchParams)).toEqual({ from: '2026-10-23', to: '2026-11-21', region: '110105', format: 'xlsx', table: 'by_region' })
  })
})

describe('click-through to the lists', () => {
  const st = f({ region: '110105', department: 'D1', item: 'I1', applicant_type: 'person' })

  it('a stage card opens 预警信息 at that stage with the same period and scope', () => {
    expect(warningsLink(st, { stage: 'approval' })).toEqual({
      name: 'mon-warnings',
      query: { region: '110105', department: 'D1', item: 'I1', from: '2026-10-23', to: '2026-11-21', stage: 'approval' },
    })
    expect(warningsLink(f(), { stage: 'acceptance', level: 'red' })).toEqual({
      name: 'mon-warnings',
      query: { from: '2026-10-23', to: '2026-11-21', stage: 'acceptance', level: 'red' },
    })
    // A pie slice keeps the stage chosen in the filter bar.
    expect(warningsLink(f({ stage: 'immediate' }), { level: 'yellow' })).toMatchObject({ query: { stage: 'immediate', level: 'yellow' } })
  })

  it('case cards open 办件数据 with the applicant type; 办结 only completed cases', () => {
    expect(casesLink(st)).toEqual({
      name: 'agg-cases',
      query: { region: '110105', department: 'D1', item: 'I1', applicant_type: 'person', from: '2026-10-23', to: '2026-11-21' },
    })
    expect(casesLink(f(), { status: 'completed' })).toMatchObject({ query: { status: 'completed' } })
  })

  it('the 超期 card opens 办件数据 with overdue=true and the same filters', () => {
    expect(casesLink(st, { overdue: true })).toEqual({
      name: 'agg-cases',
      query: { region: '110105', department: 'D1', item: 'I1', applicant_type: 'person', from: '2026-10-23', to: '2026-11-21', overdue: 'true' },
    })
    const card = caseCardsOf(overview(), st).find((c) => c.key === 'cases-overdue')!
    expect(card.to).toEqual(casesLink(st, { overdue: true }))
    expect(card.tip).not.toContain('不能')
    expect(card.tip).toContain('超期办件')
    // the other case cards do not narrow to overdue cases
    for (const c of caseCardsOf(overview(), st).filter((c) => c.key !== 'cases-overdue')) {
      expect(JSON.stringify(c.to)).not.toContain('overdue')
    }
  })

  it('a hot word opens 咨询数据 searched by it, and says which filters that list cannot apply', () => {
    expect(consultationsLink(st, { q: '营业执照' })).toEqual({
      name: 'agg-consultations',
      query: { region: '110105', item: 'I1', from: '2026-10-23', to: '2026-11-21', q: '营业执照' },
    })
    expect(caveat('consultations', st)).toBe('列表不支持按部门、申请人类型筛选，将显示更多记录')
    expect(caveat('warnings', st)).toBe('列表不支持按申请人类型筛选，将显示更多记录')
    expect(caveat('cases', st)).toBe('')
    expect(caveat('consultations', f({ region: '110105' }))).toBe('')
  })
})

describe('key figures', () => {
  it('shows rates with one decimal and — when nothing was completed (never a fake 0.0%)', () => {
    expect(rateText(7000, 8000)).toBe('87.5%')
    expect(rateText(1, 3)).toBe('33.3%')
    expect(rateText(0, 0)).toBe('—')
  })

  it('case cards read with thousands separators and link to their lists', () => {
    const cards = caseCardsOf(overview(), f())
    expect(cards.map((c) => [c.title, c.value])).toEqual([
      ['办件总量', '12,345'],
      ['办结', '8,000'],
      ['按时办结率', '87.5%'],
      ['超期', '321'],
      ['咨询量', '3,000'],
    ])
    expect(cards[1]!.sub).toBe('办结率 64.8%')
    expect(cards[4]!.sub).toBe('日均 100.0 次')
    const none = caseCardsOf(overview({ cases: { total: 5, accepted: 5, completed: 0, on_time: 0, overdue: 0, on_time_rate: 0 } }), f())
    expect(none[2]!.value).toBe('—')
  })

  it('one card per warning stage, in business order, labelled by stage with its models', () => {
    const cards = stageCards(overview().warnings.by_stage)
    expect(cards.map((c) => `${c.title}:${c.total}`)).toEqual(['咨询环节:1', '受理环节:4', '审批环节:5', '特别程序:0', '即办件:0'])
    expect(cards[1]!.models).toBe('受理次数 · 受理超期')
    // A stage missing from the answer shows zeros rather than breaking the row.
    expect(stageCards({ approval: { total: 2, red: 2 } })[2]).toMatchObject({ total: 2, red: 2, yellow: 0, unread: 0 })
    expect(stageCards(undefined)).toHaveLength(5)
  })

  it('the funnel gives each step from 受理 on its share of the previous one', () => {
    const steps = funnelSteps(overview().funnel)
    expect(steps.map((s) => s.name)).toEqual(['咨询', '申请', '受理', '办结', '按时办结'])
    expect(steps.map((s) => s.value)).toEqual([3000, 12345, 12000, 8000, 7000])
    // Applications are not a share of consultations (most come without one).
    expect(steps[0]!.fromPrevious).toBeNull()
    expect(steps[1]!.fromPrevious).toBeNull()
    expect(steps[3]!.fromPrevious).toBe(8000 / 12000)
    expect(steps[4]!.fromPrevious).toBe(0.875)
    expect(funnelSteps({ consultations: 0, applications: 0, accepted: 0, completed: 0, on_time: 0 })[2]!.fromPrevious).toBeNull()
  })

  it('the region being broken down reads 本级 (records not in any of its sub-regions)', () => {
    const row = (region_code: string, name: string) => ({ region_code, name, cases: 1, completed: 0, on_time: 0, overdue: 0, consultations: 0, warnings: 0, red: 0 })
    const rows = [row('110105', '朝阳区'), row('110105001', '建外街道')]
    expect(labelRegions(rows, '110105').map((r) => r.name)).toEqual(['朝阳区（本级）', '建外街道'])
    expect(labelRegions(rows, '').map((r) => r.name)).toEqual(['朝阳区', '建外街道'])
    expect(rows[0]!.name).toBe('朝阳区')
  })

  it('counts period days inclusively and sums rows', () => {
    expect(periodDays('2026-10-23', '2026-11-21')).toBe(30)
    expect(periodDays('2026-11-21', '2026-11-21')).toBe(1)
    expect(sumOf([{ cases: 2 }, { cases: 3 }], (r) => r.cases)).toBe(5)
  })
})

describe('charts', () => {
  it('trend: bars for volume and a percentage line on the right axis, gaps where nothing was completed', () => {
    const opt = trendOption(
      [
        { date: '2026-11-01', cases: 10, completed: 8, on_time: 7, overdue: 1, consultations: 4, warnings: 0 },
        { date: '2026-11-02', cases: 3, completed: 0, on_time: 0, overdue: 0, consultations: 1, warnings: 0 },
      ],
      'day',
    ) as { xAxis: { data: string[] }; series: Series[] }
    expect(opt.xAxis.data).toEqual(['11-01', '11-02'])
    expect(opt.series.map((s) => s.name)).toEqual(['办件量', '办结量', '咨询量', '按时办结率'])
    expect(opt.series[3]!.data).toEqual([87.5, null])
    expect(opt.series[3]!.tooltip!.valueFormatter(87.5)).toBe('87.5%')
    expect(axisDate('2026-11', 'month')).toBe('2026-11')
  })

  it('region bars are named by region and in the order of the rows (a click maps back to the code)', () => {
    const opt = regionOption([
      { region_code: '110105', name: '朝阳区', cases: 9, completed: 4, on_time: 4, overdue: 0, consultations: 2, warnings: 1, red: 0 },
      { region_code: '110108', name: '海淀区', cases: 5, completed: 0, on_time: 0, overdue: 1, consultations: 0, warnings: 2, red: 1 },
    ]) as { xAxis: { data: string[] }; series: Series[] }
    expect(opt.xAxis.data).toEqual(['朝阳区', '海淀区'])
    expect(opt.series[0]!.data).toEqual([9, 5])
    expect(opt.series[3]!.data).toEqual([100, null])
  })

  it('warning levels carry their colour and their name; a slice knows its level', () => {
    const opt = levelOption({ red: 3, yellow: 7 }) as { series: { data: { name: string; value: number; level: string; itemStyle: { color: string } }[] }[] }
    const data = opt.series[0]!.data
    expect(data.map((d) => [d.name, d.value, d.itemStyle.color])).toEqual([
      ['红灯', 3, '#F56C6C'],
      ['黄灯', 7, '#E6A23C'],
    ])
    expect(levelOfSlice(data[0])).toBe('red')
    expect(levelOfSlice({ name: 'x' })).toBeNull()
  })

  it('funnel labels show the count and the conversion', () => {
    const steps = funnelSteps(overview().funnel)
    const opt = funnelOption(steps) as { series: { sort: string; label: { formatter: Call } }[] }
    expect(opt.series[0]!.sort).toBe('none')
    expect(opt.series[0]!.label.formatter({ dataIndex: 4 })).toBe('按时办结 7,000（87.5%）')
    expect(opt.series[0]!.label.formatter({ dataIndex: 0 })).toBe('咨询 3,000')
  })

  it('word cloud sizes words by weight and tells the exact count on hover', () => {
    const opt = wordCloudOption([
      { word: '营业执照', weight: 1, count: 1520 },
      { word: '社保', weight: 0.4, count: 600 },
    ]) as { tooltip: { formatter: Call }; series: { type: string; data: { name: string; value: number; count: number }[] }[] }
    expect(opt.series[0]!.type).toBe('wordCloud')
    expect(opt.series[0]!.data.map((d) => [d.name, d.value])).toEqual([
      ['营业执照', 1],
      ['社保', 0.4],
    ])
    expect(opt.tooltip.formatter({ name: '营业执照', data: { count: 1520 } })).toBe('营业执照：1,520 次')
  })
})

describe('charts and ranks that say what they show (issue 16 item 9)', () => {
  it('leave out child regions with nothing in the period, and count them', async () => {
    const { nonEmptyRegions } = await import('./figures')
    const row = (code: string, cases: number) => ({ region_code: code, name: code, cases, completed: 0, on_time: 0, overdue: 0, consultations: 0, warnings: 0, red: 0 })
    const r = nonEmptyRegions([row('110105', 5), row('110105001', 0), row('110105002', 2), row('110105003', 0)])
    expect(r.rows.map((x) => x.region_code)).toEqual(['110105', '110105002'])
    expect(r.hidden).toBe(2)
  })
  it('put words next to the coloured on-time rate', async () => {
    const { rateMark } = await import('./figures')
    expect(rateMark(80, 100)).toEqual({ tone: 'bad', mark: '偏低' })
    expect(rateMark(95, 100)).toEqual({ tone: 'warn', mark: '待提升' })
    expect(rateMark(99, 100)).toEqual({ tone: 'good', mark: '良好' })
    expect(rateMark(0, 0)).toEqual({ tone: '', mark: '' })
  })
  it('tell apart items of the same name', async () => {
    const { distinctLabels, codeTail } = await import('@/utils/chart')
    const rows = [
      { name: '食品经营许可', dept: '海淀区市场监督管理局' },
      { name: '食品经营许可', dept: '朝阳区市场监督管理局' },
      { name: '护照签发', dept: '市公安局' },
    ]
    expect(distinctLabels(rows, (r) => r.name, (r) => r.dept)).toEqual(['食品经营许可（海淀区市场监督管理局）', '食品经营许可（朝阳区市场监督管理局）', '护照签发'])
    expect(codeTail('11010500000000000000012345')).toBe('…012345')
  })
})

describe('satisfaction chart', () => {
  it('shows evaluations and 差评 as bars and the 差评 rate as a percentage, a gap where nothing was rated', () => {
    const option = satisfactionOption([
      { label: '朝阳区', total: 4, bad: 1, bad_rate: 0.25 },
      { label: '海淀区', total: 0, bad: 0, bad_rate: 0 },
    ]) as { xAxis: { data: string[] }; series: Series[] }
    expect(option.xAxis.data).toEqual(['朝阳区', '海淀区'])
    expect(option.series.map((s) => s.name)).toEqual(['评价数', '差评数', '差评率'])
    expect(option.series[1]!.data).toEqual([1, 0])
    expect(option.series[2]!.data).toEqual([25, null])
    expect(option.series[2]!.tooltip!.valueFormatter(25)).toBe('25.0%')
  })
})
