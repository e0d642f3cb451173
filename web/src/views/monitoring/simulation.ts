// 规则仿真: the answer of POST /warning-rules/simulate as cards, bar charts and
// a filterable sample.
import { codeTail, distinctLabels } from '@/utils/chart'
import type { CountRow, SimulationResult, SimulationSample } from '@/api/models'
import { levelColour, levelText } from '@/utils/labels'

export interface LevelRow {
  key: string
  name: string
  colour: string
  count: number
  /** Count of the live version; null when there is none. */
  live: number | null
  /** count − live; null without a live version. */
  delta: number | null
}

/**
 * One row per level: the draft's levels in their order (names and colours as
 * edited), then any other level the answer mentions.
 */
export function levelRows(result: SimulationResult, levels: { key: string; name: string; colour: string }[]): LevelRow[] {
  const live = result.live?.by_level ?? null
  const keys = [...levels.map((l) => l.key)]
  for (const k of [...Object.keys(result.by_level ?? {}), ...Object.keys(live ?? {})]) if (!keys.includes(k)) keys.push(k)
  return keys.map((key) => {
    const l = levels.find((x) => x.key === key)
    const count = result.by_level?.[key] ?? 0
    const liveCount = live ? (live[key] ?? 0) : null
    return {
      key,
      name: levelText(key, l?.name),
      colour: levelColour(key, l?.colour),
      count,
      live: liveCount,
      delta: liveCount === null ? null : count - liveCount,
    }
  })
}

/** `+5` / `-2` / `±0`. */
export function deltaText(d: number | null): string {
  if (d === null) return ''
  return d > 0 ? `+${d}` : d < 0 ? `${d}` : '±0'
}

/** Horizontal bars of the `top` largest rows, largest at the top. */
/** The rows a rank chart draws, in its order (bottom to top): `dataIndex` of a click indexes this. */
export function rankRows(rows: CountRow[], top = 10): CountRow[] {
  return [...rows].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)).slice(0, top).reverse()
}

export function rankChartOption(rows: CountRow[], seriesName: string, colour: string, top = 10): Record<string, unknown> {
  const shown = rankRows(rows, top)
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 32, top: 28, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: {
      type: 'category',
      // the same name for different codes (an item in several departments): tell them apart
      data: distinctLabels(shown, (r) => r.name || r.code, (r) => codeTail(r.code)),
      axisLabel: { width: 120, overflow: 'truncate' },
    },
    series: [{ name: seriesName, type: 'bar', barMaxWidth: 18, data: shown.map((r) => r.count), itemStyle: { color: colour } }],
  }
}

export type SampleDimension = 'region' | 'item'

export interface SampleFilter {
  dimension: SampleDimension
  name: string
}

export function filterSample(sample: SimulationSample[], f: SampleFilter | null): SimulationSample[] {
  if (!f) return sample
  return sample.filter((s) => (f.dimension === 'region' ? s.region_name : s.item_name) === f.name)
}
