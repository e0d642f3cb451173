// Pure helpers of the 质效评价 pages: labels, the best / average of a run's
// units, the results as CSV, the ranking chart.
import { csvCell } from '@/utils/intake'
import type { AlertCondition, AlertLevel, AlertLevelKey, IndicatorScore, IndicatorTrend, UnitResult } from '@/api/models'

export const LEVEL_LABELS: Record<number, string> = { 1: '一级指标', 2: '二级指标', 3: '三级指标' }
export const STATE_LABELS: Record<string, string> = { draft: '草稿', enabled: '启用', disabled: '停用' }
export const DIRECTION_LABELS: Record<string, string> = { higher: '越高越好', lower: '越低越好' }
export const UNIT_LEVEL_LABELS: Record<string, string> = {
  district: '区（市级评区）',
  city_department: '市级部门',
  district_department: '区级部门',
}
export const MODE_LABELS: Record<string, string> = { test: '试算', official: '正式' }
export const TEMPLATE_LABELS: Record<string, string> = {
  proportional: '按比例扣分',
  tiered: '阶梯赋分',
  relative: '相对评价',
  ranking: '排名赋分',
  formula: '公式',
}
/** Facts a ratio indicator may name (core::evaluation::measures::FACTS). */
export const FACTS: [string, string][] = [
  ['cases', '申请件数'],
  ['completed', '办结件数'],
  ['completed_on_time', '按时办结件数'],
  ['overdue', '超期件数'],
  ['online', '网上申请件数'],
  ['rejected', '不予受理件数'],
  ['timed', '计时办结件数'],
  ['handling_days', '办理天数合计'],
  ['promised_days', '承诺时限合计'],
  ['warnings', '预警次数'],
  ['evaluations', '评价条数'],
  ['bad_reviews', '差评条数'],
  ['good_reviews', '好评条数'],
]

/** Period presets: this and last year, their quarters. */
export function periodOptions(today: Date): string[] {
  const year = today.getFullYear()
  const out: string[] = []
  for (const y of [year, year - 1]) {
    out.push(String(y))
    for (let q = 4; q >= 1; q--) out.push(`${y}-Q${q}`)
  }
  return out
}

/** Indicators of a result in display order: level 1, level 2, then the scored ones. */
export function columnsOf(results: UnitResult[]): IndicatorScore[] {
  const first = results[0]?.indicators ?? []
  return [...first].sort((a, b) => a.level - b.level)
}

/** The score of an indicator (or the composite when `code` is empty) for one unit. */
export function scoreOf(result: UnitResult, code: string): number {
  if (!code) return result.score
  return result.indicators.find((s) => s.code === code)?.score ?? 0
}

/** Best and average score of a column over the units (two decimals). */
export function bestAndAverage(results: UnitResult[], code: string): { best: number; average: number } {
  if (!results.length) return { best: 0, average: 0 }
  const scores = results.map((r) => scoreOf(r, code))
  const average = scores.reduce((a, b) => a + b, 0) / scores.length
  return { best: Math.max(...scores), average: Math.round(average * 100) / 100 }
}

/** The results as CSV (BOM for spreadsheet software). */
export function resultsCsv(results: UnitResult[]): string {
  const columns = columnsOf(results)
  const head = ['排名', '单位编码', '单位名称', '综合得分', ...columns.map((c) => `${c.name}得分`)]
  const lines = [head.map(csvCell).join(',')]
  for (const r of results) {
    lines.push([r.rank, r.unit_code, r.unit_name, r.score, ...columns.map((c) => scoreOf(r, c.code))].map(csvCell).join(','))
  }
  return '\ufeff' + lines.join('\r\n')
}

/** Bar chart of the composite scores, best first, with the average as a line. */
export function rankingChartOption(results: UnitResult[], highlight = ''): Record<string, unknown> {
  const { average } = bestAndAverage(results, '')
  return {
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: results.map((r) => r.unit_name), axisLabel: { interval: 0, rotate: results.length > 8 ? 30 : 0 } },
    yAxis: { type: 'value', name: '综合得分' },
    series: [
      {
        name: '综合得分',
        type: 'bar',
        data: results.map((r) => ({ value: r.score, itemStyle: r.unit_code === highlight ? { color: '#E6A23C' } : undefined })),
        markLine: { symbol: 'none', data: [{ yAxis: average, name: '平均' }], label: { formatter: `平均 ${average}` } },
      },
    ],
  }
}

export interface TrendPoint {
  period: string
  score: number | null
  average: number
}

/** Line chart of a unit's composite score against the average over periods. */
export function trendChartOption(points: TrendPoint[], unitName: string): Record<string, unknown> {
  return {
    tooltip: { trigger: 'axis' },
    legend: { data: [unitName, '平均'] },
    xAxis: { type: 'category', data: points.map((p) => p.period) },
    yAxis: { type: 'value', name: '综合得分' },
    series: [
      { name: unitName, type: 'line', data: points.map((p) => p.score) },
      { name: '平均', type: 'line', lineStyle: { type: 'dashed' }, data: points.map((p) => p.average) },
    ],
  }
}

/** The official runs of a scheme to draw a trend from: the newest per period, oldest period first, at most `limit`. */
export function trendRuns<R extends { run_id: number; scheme: string; period: string; mode: string }>(runs: R[], scheme: string, limit = 8): R[] {
  const newest = new Map<string, R>()
  for (const r of runs) {
    if (r.scheme !== scheme || r.mode !== 'official') continue
    const seen = newest.get(r.period)
    if (!seen || seen.run_id < r.run_id) newest.set(r.period, r)
  }
  return [...newest.values()].sort((a, b) => a.period.localeCompare(b.period)).slice(-limit)
}

/** Indicator warnings (IND-2): level keys with their default names and colours. */
export const ALERT_LEVEL_LABELS: Record<AlertLevelKey, string> = { red: '红色', orange: '橙色', yellow: '黄色', blue: '蓝色' }
const LEVEL_COLOURS: Record<AlertLevelKey, string> = { red: '#F56C6C', orange: '#FF9900', yellow: '#E6A23C', blue: '#409EFF' }
export const ALERT_PERIOD_LABELS: Record<string, string> = { month: '上一个整月', quarter: '上一个整季度', year: '上一个整年' }
export const MEASURE_LABELS: Record<string, string> = { value: '指标值', yoy: '同比变化（%）', pop: '环比变化（%）' }
export const OP_LABELS: Record<string, string> = { gt: '>', ge: '≥', lt: '<', le: '≤' }

export function newCondition(): AlertCondition {
  return { measure: 'value', op: 'lt', threshold: 90 }
}

/** A new level: the next key not used yet, red first. */
export function newLevel(index: number): AlertLevel {
  const key = (Object.keys(ALERT_LEVEL_LABELS) as AlertLevelKey[])[index] ?? 'blue'
  return { level: key, name: `${ALERT_LEVEL_LABELS[key]}预警`, colour: LEVEL_COLOURS[key], combine: 'all', conditions: [newCondition()] }
}

/** A level's conditions as a person reads them: 指标值 < 60 且 环比变化（%） ≤ -10. */
export function describeLevel(level: AlertLevel): string {
  const joiner = level.combine === 'all' ? ' 且 ' : ' 或 '
  return level.conditions.map((c) => `${MEASURE_LABELS[c.measure]} ${OP_LABELS[c.op]} ${c.threshold}`).join(joiner)
}

/** The last whole month, quarter and year before `today` (a trend's end). */
export function lastWholePeriods(today: Date): Record<'month' | 'quarter' | 'year', string> {
  const y = today.getFullYear()
  const m = today.getMonth() // 0-based: the last whole month is m (1-based) of this year, or December
  const month = m === 0 ? `${y - 1}-12` : `${y}-${String(m).padStart(2, '0')}`
  const q = Math.floor(m / 3) // whole quarters this year
  const quarter = q === 0 ? `${y - 1}-Q4` : `${y}-Q${q}`
  return { month, quarter, year: String(y - 1) }
}

/** A unit's indicator values over time beside the level's best and average. */
export function indicatorTrendOption(trend: IndicatorTrend): Record<string, unknown> {
  const name = `${trend.name}${trend.unit ? `（${trend.unit}）` : ''}`
  return {
    tooltip: { trigger: 'axis' },
    legend: { data: [trend.unit_name, '最优', '平均'] },
    xAxis: { type: 'category', data: trend.points.map((p) => p.period) },
    yAxis: { type: 'value', name },
    series: [
      { name: trend.unit_name, type: 'line', connectNulls: false, data: trend.points.map((p) => p.value) },
      { name: '最优', type: 'line', lineStyle: { type: 'dotted' }, data: trend.points.map((p) => p.best) },
      { name: '平均', type: 'line', lineStyle: { type: 'dashed' }, data: trend.points.map((p) => p.average) },
    ],
  }
}
