// One ECharts look for the whole app (UI.md): Element Plus semantic colours
// first, tooltips with exact numbers (thousands separators), and every chart
// carries 导出图片 (save as PNG).
import { formatNumber } from './format'

export const PALETTE = [
  '#409EFF', // 信息 blue
  '#67C23A', // 正常 green
  '#E6A23C', // 黄灯 yellow
  '#F56C6C', // 红灯 red
  '#909399',
  '#36CBCB',
  '#975FE5',
  '#3BA272',
  '#FC8452',
  '#5470C6',
]

type Obj = Record<string, unknown>

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v)

/** Chart option with the app defaults filled in where the caller did not set them. */
export function withChartDefaults(option: Obj, exportName = 'govpulse-chart'): Obj {
  const tooltip = isObj(option.tooltip) ? option.tooltip : {}
  const toolbox = isObj(option.toolbox) ? option.toolbox : {}
  const feature = isObj(toolbox.feature) ? toolbox.feature : {}
  return {
    color: PALETTE,
    animationDuration: 300,
    ...option,
    tooltip: {
      confine: true,
      valueFormatter: (v: unknown) => (typeof v === 'number' ? formatNumber(v) : String(v ?? '—')),
      ...tooltip,
    },
    toolbox: {
      right: 8,
      ...toolbox,
      feature: {
        saveAsImage: { title: '导出图片', name: exportName, pixelRatio: 2 },
        ...feature,
      },
    },
  }
}

/**
 * Labels that tell rows apart: a name shared by several rows (the same item
 * implemented by several departments) gets its detail appended, e.g.
 * 「食品经营许可（海淀区市场监督管理局）」; unique names stay as they are.
 */
export function distinctLabels<T>(rows: readonly T[], name: (r: T) => string, detail: (r: T) => string): string[] {
  const seen = new Map<string, number>()
  for (const r of rows) seen.set(name(r), (seen.get(name(r)) ?? 0) + 1)
  return rows.map((r) => {
    const n = name(r)
    const d = detail(r)
    return (seen.get(n) ?? 0) > 1 && d ? `${n}（${d}）` : n
  })
}

/** The distinguishing end of a long code (item codes share their long prefix). */
export const codeTail = (code: string, n = 6): string => (code.length > n ? `…${code.slice(-n)}` : code)
