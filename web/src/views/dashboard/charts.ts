// ECharts options of the dashboard: the app palette (utils/chart.ts), exact
// numbers with thousands separators in tooltips, rates as percentages with
// one decimal, warning levels in their red / yellow with their names.
import type { Hotword, RegionRow, TrendPoint, Granularity } from '@/api/models'
import { PALETTE } from '@/utils/chart'
import { formatNumber, formatPercent } from '@/utils/format'
import { WARNING_LEVEL } from '@/utils/labels'
import type { FunnelStep } from './figures'
import { rate } from './figures'

type Option = Record<string, unknown>

const BLUE = '#409EFF'
const GREEN = '#67C23A'
const CYAN = '#36CBCB'
const PURPLE = '#975FE5'
const RED = WARNING_LEVEL.red!.colour
const YELLOW = WARNING_LEVEL.yellow!.colour

/** A rate 0..1 as a percentage number with one decimal for a chart axis (null stays a gap). */
export const pct = (r: number | null): number | null => (r === null ? null : Math.round(r * 1000) / 10)

const pctFormatter = (v: unknown) => (typeof v === 'number' ? `${v.toFixed(1)}%` : '—')

/** `2026-11-05` → `11-05` on a day axis; months stay `2026-11`. */
export function axisDate(date: string, granularity: Granularity): string {
  return granularity === 'day' && /^\d{4}-\d{2}-\d{2}$/.test(date) ? date.slice(5) : date
}

const rateAxis = {
  type: 'value',
  name: '按时办结率',
  min: 0,
  max: 100,
  axisLabel: { formatter: '{value}%' },
  splitLine: { show: false },
}

/** Volume (bars) and on-time rate (line, right axis) over the period. */
export function trendOption(points: TrendPoint[], granularity: Granularity): Option {
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0, left: 0 },
    grid: { left: 8, right: 8, top: 50, bottom: 4, containLabel: true },
    xAxis: { type: 'category', data: points.map((p) => axisDate(p.date, granularity)) },
    yAxis: [{ type: 'value', name: '件数', minInterval: 1 }, rateAxis],
    series: [
      { name: '办件量', type: 'bar', data: points.map((p) => p.cases), itemStyle: { color: BLUE }, barMaxWidth: 18 },
      { name: '办结量', type: 'bar', data: points.map((p) => p.completed), itemStyle: { color: GREEN }, barMaxWidth: 18 },
      { name: '咨询量', type: 'bar', data: points.map((p) => p.consultations), itemStyle: { color: CYAN }, barMaxWidth: 18 },
      {
        name: '按时办结率',
        type: 'line',
        yAxisIndex: 1,
        smooth: true,
        connectNulls: false,
        data: points.map((p) => pct(rate(p.on_time, p.completed))),
        itemStyle: { color: YELLOW },
        tooltip: { valueFormatter: pctFormatter },
      },
    ],
  }
}

/** Tooltip, legend, grid and x axis of bars over named categories (labels
 * slanted when there are many; every label shown unless `interval` says otherwise). */
function categoryChart(labels: string[], interval: number | 'auto' = 0): Option {
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, left: 0 },
    grid: { left: 8, right: 8, top: 50, bottom: 4, containLabel: true },
    xAxis: { type: 'category', data: labels, axisLabel: { interval, rotate: labels.length > 8 ? 35 : 0, fontSize: 11 } },
  }
}

/** Cases, consultations and warnings per region (bars) with the on-time rate (line). */
export function regionOption(rows: RegionRow[]): Option {
  return {
    ...categoryChart(rows.map((r) => r.name)),
    yAxis: [{ type: 'value', name: '件数', minInterval: 1 }, rateAxis],
    series: [
      { name: '办件量', type: 'bar', data: rows.map((r) => r.cases), itemStyle: { color: BLUE }, barMaxWidth: 22 },
      { name: '咨询量', type: 'bar', data: rows.map((r) => r.consultations), itemStyle: { color: CYAN }, barMaxWidth: 22 },
      { name: '预警数', type: 'bar', data: rows.map((r) => r.warnings), itemStyle: { color: RED }, barMaxWidth: 22 },
      {
        name: '按时办结率',
        type: 'line',
        yAxisIndex: 1,
        data: rows.map((r) => pct(rate(r.on_time, r.completed))),
        itemStyle: { color: YELLOW },
        tooltip: { valueFormatter: pctFormatter },
      },
    ],
  }
}

/** Red / yellow warnings as a pie, each slice with its colour, name, count and share. */
export function levelOption(byLevel: { red: number; yellow: number }): Option {
  const data = (['red', 'yellow'] as const).map((k) => ({
    name: WARNING_LEVEL[k]!.text,
    value: byLevel[k] ?? 0,
    level: k,
    itemStyle: { color: WARNING_LEVEL[k]!.colour },
  }))
  return {
    tooltip: { trigger: 'item', formatter: (p: { name: string; value: number; percent: number }) => `${p.name}：${formatNumber(p.value)} 条（${p.percent}%）` },
    legend: { bottom: 0 },
    series: [
      {
        name: '预警级别',
        type: 'pie',
        radius: ['38%', '66%'],
        center: ['50%', '46%'],
        data,
        label: { formatter: (p: { name: string; value: number }) => `${p.name}\n${formatNumber(p.value)}` },
      },
    ],
  }
}

/** The level key of a clicked pie slice (its data carries it). */
export const levelOfSlice = (data: unknown): 'red' | 'yellow' | null => {
  const level = (data as { level?: string } | null)?.level
  return level === 'red' || level === 'yellow' ? level : null
}

/** Consultations → applications → accepted → completed → on time, in that order. */
export function funnelOption(steps: FunnelStep[]): Option {
  const max = Math.max(1, ...steps.map((s) => s.value))
  return {
    tooltip: {
      trigger: 'item',
      formatter: (p: { dataIndex: number }) => {
        const s = steps[p.dataIndex]!
        const conv = s.fromPrevious === null ? '' : `<br/>占上一环节 ${formatPercent(s.fromPrevious)}`
        return `${s.name}：${formatNumber(s.value)}${conv}`
      },
    },
    series: [
      {
        name: '环节漏斗',
        type: 'funnel',
        sort: 'none',
        left: '8%',
        right: '34%',
        top: 8,
        bottom: 8,
        min: 0,
        max,
        minSize: '8%',
        gap: 2,
        label: {
          position: 'right',
          formatter: (p: { dataIndex: number }) => {
            const s = steps[p.dataIndex]!
            return `${s.name} ${formatNumber(s.value)}${s.fromPrevious === null ? '' : `（${formatPercent(s.fromPrevious)}）`}`
          },
        },
        data: steps.map((s, i) => ({ name: s.name, value: s.value, itemStyle: { color: PALETTE[i % PALETTE.length] } })),
      },
    ],
  }
}

const CLOUD_COLOURS = [BLUE, '#3BA272', YELLOW, RED, PURPLE, CYAN, '#FC8452', '#5470C6']

/** The hot-word cloud (echarts-wordcloud): size by weight, tooltip with the exact count. */
export function wordCloudOption(words: Hotword[]): Option {
  return {
    tooltip: {
      trigger: 'item',
      formatter: (p: { name: string; data: { count: number } }) => `${p.name}：${formatNumber(p.data.count)} 次`,
    },
    series: [
      {
        type: 'wordCloud',
        shape: 'circle',
        left: 'center',
        top: 'center',
        width: '96%',
        height: '94%',
        sizeRange: [13, 46],
        rotationRange: [0, 0],
        gridSize: 6,
        drawOutOfBound: false,
        layoutAnimation: false,
        textStyle: { fontWeight: 600 },
        emphasis: { focus: 'self', textStyle: { textShadowBlur: 4, textShadowColor: 'rgba(0,0,0,0.25)' } },
        data: words.map((w, i) => ({
          name: w.word,
          value: w.weight,
          count: w.count,
          textStyle: { color: CLOUD_COLOURS[i % CLOUD_COLOURS.length] },
        })),
      },
    ],
  }
}

/** Evaluations and 差评 (bars) with the 差评 rate (line, right axis) per district, department or date. */
export function satisfactionOption(rows: { label: string; total: number; bad: number; bad_rate: number }[]): Option {
  return {
    ...categoryChart(
      rows.map((r) => r.label),
      rows.length > 20 ? 'auto' : 0,
    ),
    yAxis: [{ type: 'value', name: '评价数', minInterval: 1 }, { ...rateAxis, name: '差评率' }],
    series: [
      { name: '评价数', type: 'bar', data: rows.map((r) => r.total), itemStyle: { color: BLUE }, barMaxWidth: 22 },
      { name: '差评数', type: 'bar', data: rows.map((r) => r.bad), itemStyle: { color: RED }, barMaxWidth: 22 },
      {
        name: '差评率',
        type: 'line',
        yAxisIndex: 1,
        data: rows.map((r) => (r.total ? pct(r.bad_rate) : null)),
        itemStyle: { color: PURPLE },
        tooltip: { valueFormatter: pctFormatter },
      },
    ],
  }
}
