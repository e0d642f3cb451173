// 对账统计: totals, rejection reasons and the per-day chart of the
// reconciliation rows (day × source × kind).
import type { ReconciliationRow } from '@/api/models'
import { formatNumber } from '@/utils/format'

export interface Totals {
  received: number
  accepted: number
  corrected: number
  duplicates: number
  rejected: number
  rejected_by_code: Record<string, number>
}

export function totalsOf(rows: ReconciliationRow[]): Totals {
  const t: Totals = { received: 0, accepted: 0, corrected: 0, duplicates: 0, rejected: 0, rejected_by_code: {} }
  for (const r of rows) {
    t.received += r.received
    t.accepted += r.accepted
    t.corrected += r.corrected ?? 0
    t.duplicates += r.duplicates
    t.rejected += r.rejected
    for (const [code, n] of Object.entries(r.rejected_by_code ?? {})) {
      t.rejected_by_code[code] = (t.rejected_by_code[code] ?? 0) + n
    }
  }
  return t
}

/** Rejection reasons, most frequent first (ties by code). */
export function rejectionCodes(byCode: Record<string, number> | null | undefined): { code: string; count: number }[] {
  return Object.entries(byCode ?? {})
    .filter(([, n]) => n > 0)
    .map(([code, count]) => ({ code, count }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code))
}

/** Accepted share of received, null when nothing was received. */
export const acceptRate = (t: { received: number; accepted: number }) => (t.received ? t.accepted / t.received : null)

export interface DailySeries {
  days: string[]
  received: number[]
  accepted: number[]
  rejected: number[]
}

/** Sums per day (all sources and kinds), days ascending. */
export function dailySeries(rows: ReconciliationRow[]): DailySeries {
  const byDay = new Map<string, ReconciliationRow[]>()
  for (const r of rows) {
    const list = byDay.get(r.day)
    if (list) list.push(r)
    else byDay.set(r.day, [r])
  }
  const days = [...byDay.keys()].sort()
  const totals = days.map((d) => totalsOf(byDay.get(d)!))
  return {
    days,
    received: totals.map((t) => t.received),
    accepted: totals.map((t) => t.accepted),
    rejected: totals.map((t) => t.rejected),
  }
}

/** Bars for received / accepted, a line for rejected (its own axis: usually far smaller). */
export function dailyChartOption(s: DailySeries): Record<string, unknown> {
  const axisLabel = { formatter: (v: number) => formatNumber(v) }
  return {
    tooltip: { trigger: 'axis' },
    legend: { data: ['接收', '接受', '拒绝'], top: 0 },
    grid: { left: 64, right: 64, top: 40, bottom: 28 },
    xAxis: { type: 'category', data: s.days },
    yAxis: [
      // counts of records: whole numbers only (no 0.2 条)
      { type: 'value', name: '接收 / 接受（条）', nameLocation: 'middle', nameGap: 48, axisLabel, minInterval: 1 },
      { type: 'value', name: '拒绝（条）', nameLocation: 'middle', nameGap: 44, axisLabel, minInterval: 1, splitLine: { show: false } },
    ],
    series: [
      // a single day must not become one giant bar
      { name: '接收', type: 'bar', data: s.received, itemStyle: { color: '#409EFF' }, barMaxWidth: 32 },
      { name: '接受', type: 'bar', data: s.accepted, itemStyle: { color: '#67C23A' }, barMaxWidth: 32 },
      { name: '拒绝', type: 'line', yAxisIndex: 1, data: s.rejected, itemStyle: { color: '#F56C6C' }, symbolSize: 6 },
    ],
  }
}
