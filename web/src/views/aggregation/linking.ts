// 关联分析 (consultation ↔ case linking statistics): chart of the largest groups.
import type { LinkingGroup, LinkingRow } from '@/api/models'

export const LINKING_GROUP: Record<LinkingGroup, string> = { region: '区划', department: '部门', item: '事项' }

export const LINKING_SERIES = [
  { key: 'consultations', name: '咨询量', color: '#409EFF' },
  { key: 'consulted_not_applied', name: '咨询未申办', color: '#E6A23C' },
  { key: 'applications', name: '申办量', color: '#67C23A' },
  { key: 'applied_without_consulting', name: '未咨询直接申办', color: '#909399' },
] as const

/** A group's display name (its key when the server has no name for it). */
export const groupName = (r: LinkingRow) => r.name || r.key

/** Largest consultation count first (ties by name). */
export function byConsultations(rows: LinkingRow[]): LinkingRow[] {
  return [...rows].sort((a, b) => b.consultations - a.consultations || groupName(a).localeCompare(groupName(b)))
}

/** The `n` groups with the most activity (consultations + applications), largest first. */
export function topRows(rows: LinkingRow[], n: number): LinkingRow[] {
  const weight = (r: LinkingRow) => r.consultations + r.applications
  return [...rows].sort((a, b) => weight(b) - weight(a) || groupName(a).localeCompare(groupName(b))).slice(0, n)
}

export function linkingChartOption(rows: LinkingRow[]): Record<string, unknown> {
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { data: LINKING_SERIES.map((s) => s.name), top: 0 },
    grid: { left: 56, right: 24, top: 36, bottom: rows.length > 8 ? 80 : 28 },
    xAxis: {
      type: 'category',
      data: rows.map(groupName),
      axisLabel: { interval: 0, rotate: rows.length > 8 ? 30 : 0, width: 110, overflow: 'truncate' },
    },
    yAxis: { type: 'value' },
    series: LINKING_SERIES.map((s) => ({
      name: s.name,
      type: 'bar',
      barMaxWidth: 36,
      data: rows.map((r) => r[s.key]),
      itemStyle: { color: s.color },
    })),
  }
}
