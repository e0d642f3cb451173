// Work-order pages: the workbench tabs, the list query, the inputs an action
// asks for, and the side-by-side rows of an item-version diff.
import type { QueryParams } from '@/api/client'
import type { ItemChange, WorkOrderAction, WorkOrderStat } from '@/api/models'

export const VIEW_TABS = [
  { view: 'todo', label: '我的待办' },
  { view: 'done', label: '我已办' },
  { view: 'created', label: '我发起' },
  { view: 'all', label: '全部' },
] as const

export type WorkbenchView = (typeof VIEW_TABS)[number]['view']

export interface WorkOrderFilters extends Record<string, string> {
  view: string
  type: string
  state: string
  unit: string
  overdue: string
  q: string
}

/** The API query of the list's filters (empty ones left out). */
export function workOrderQuery(f: WorkOrderFilters): QueryParams {
  const q: QueryParams = {}
  for (const key of ['view', 'type', 'state', 'unit', 'overdue', 'q'] as const) {
    if (f[key]) q[key] = f[key]
  }
  if (!q.view) q.view = 'todo'
  return q
}

export const FIELD_LABEL: Record<string, string> = {
  comment: '办理意见',
  class_code: '投诉分类',
  unit_code: '责任单位',
  satisfaction: '回访满意度',
}

/** The inputs of an action's dialog: the comment always, its required fields. */
export function actionInputs(action: WorkOrderAction): { field: string; label: string; required: boolean }[] {
  const fields = action.required.filter((f) => f !== 'comment')
  return [
    { field: 'comment', label: FIELD_LABEL.comment, required: action.required.includes('comment') },
    ...fields.map((f) => ({ field: f, label: FIELD_LABEL[f] ?? f, required: true })),
  ]
}

/** What is missing before an action can be sent (Chinese messages by field). */
export function missingInputs(action: WorkOrderAction, values: Record<string, unknown>): Record<string, string> {
  const missing: Record<string, string> = {}
  for (const input of actionInputs(action)) {
    const v = values[input.field]
    if (input.required && (v === undefined || v === null || String(v).trim() === '')) {
      missing[input.field] = `请填写${input.label}`
    }
  }
  return missing
}

export const DIFF_OP: Record<ItemChange['op'], { text: string; type: 'success' | 'danger' | 'warning' }> = {
  added: { text: '新增', type: 'success' },
  removed: { text: '删除', type: 'danger' },
  changed: { text: '变更', type: 'warning' },
}

/** A value as one line of text (objects as compact JSON). */
export function valueText(v: unknown): string {
  if (v === undefined || v === null) return ''
  if (typeof v === 'string') return v
  return JSON.stringify(v)
}

/** One row of the side-by-side diff. */
export function diffRows(changes: ItemChange[]): { path: string; op: ItemChange['op']; before: string; after: string }[] {
  return changes.map((c) => ({ path: c.path, op: c.op, before: valueText(c.before), after: valueText(c.after) }))
}

/** A bar chart of statistics rows: total, open and overdue per group. */
export function statsChartOption(rows: WorkOrderStat[]): Record<string, unknown> {
  const names = rows.map((r) => r.name || r.key || '未分类')
  return {
    tooltip: { trigger: 'axis' },
    legend: { data: ['工单总数', '办理中', '已超期'] },
    xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 30 : 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: '工单总数', type: 'bar', data: rows.map((r) => r.total) },
      { name: '办理中', type: 'bar', data: rows.map((r) => r.open) },
      { name: '已超期', type: 'bar', data: rows.map((r) => r.overdue), itemStyle: { color: '#F56C6C' } },
    ],
  }
}

/** Statistics rows as CSV (with a BOM so spreadsheet software reads the Chinese). */
export function statsCsv(rows: WorkOrderStat[], groupTitle: string): string {
  const cell = (v: string | number) => {
    const text = String(v)
    const safe = /^[=+\-@]/.test(text) ? `'${text}` : text
    return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
  }
  const lines = [[groupTitle, '编码', '工单总数', '办理中', '已超期'].join(',')]
  for (const r of rows) lines.push([r.name || '未分类', r.key, r.total, r.open, r.overdue].map(cell).join(','))
  return '\ufeff' + lines.join('\r\n')
}
