// 数据质检: labels of the check library and the shape of a run's result.
import type { CaseEventKind, CodeListRefresh, QualityCheck, QualityRun } from '@/api/models'
import { CASE_EVENT_KIND } from '@/utils/labels'

export const CATEGORY: Record<QualityCheck['category'], string> = {
  general: '通用规则',
  item: '事项关联',
  process: '办理过程',
}

export const SEVERITY: Record<QualityCheck['severity'], { text: string; type: 'danger' | 'warning' }> = {
  error: { text: '错误', type: 'danger' },
  warning: { text: '提示', type: 'warning' },
}

export const RUN_STATE: Record<QualityRun['state'], { text: string; type: 'info' | 'primary' | 'success' | 'danger' }> = {
  queued: { text: '排队中', type: 'info' },
  running: { text: '质检中', type: 'primary' },
  done: { text: '已完成', type: 'success' },
  failed: { text: '失败', type: 'danger' },
}

export const isFinished = (run: QualityRun | null) => run !== null && (run.state === 'done' || run.state === 'failed')

export interface CodeRow {
  code: string
  name: string
  severity: QualityCheck['severity'] | null
  count: number
}

/** A run's failures per code, named from the library (unknown codes keep their code). */
export function codeRows(run: QualityRun, checks: QualityCheck[]): CodeRow[] {
  return run.failures.map((f) => {
    const check = checks.find((c) => c.code === f.code)
    return { code: f.code, name: check?.name ?? f.code, severity: check?.severity ?? null, count: f.count }
  })
}

/** Failing cases per region, all codes summed, most first. */
export function regionRows(run: QualityRun): { region: string; count: number }[] {
  const sums = new Map<string, number>()
  for (const r of run.by_region) {
    const key = r.region_name ?? r.region_code
    sums.set(key, (sums.get(key) ?? 0) + r.count)
  }
  return [...sums.entries()].map(([region, count]) => ({ region, count })).sort((a, b) => b.count - a.count || a.region.localeCompare(b.region))
}

/** Names of operation-log actions: stage kinds and the auxiliary steps. */
const AUXILIARY_ACTIONS: Record<string, string> = {
  assigned: '分办',
  transferred: '转办',
  signed: '签批',
  viewed: '查阅',
  printed: '打印',
}

export function actionName(action: string): string {
  return CASE_EVENT_KIND[action as CaseEventKind]?.text ?? AUXILIARY_ACTIONS[action] ?? action
}

/** Where a code list version came from: built in, an uploaded file or the URL refreshed from. */
export function codeListSource(source: string): string {
  if (source === 'builtin') return '内置'
  if (source === 'file') return '文件上传'
  return `地址刷新：${source}`
}

export const REFRESH_OUTCOME: Record<CodeListRefresh['outcome'], { text: string; type: 'success' | 'info' | 'danger' }> = {
  ok: { text: '已更新', type: 'success' },
  unchanged: { text: '无变化', type: 'info' },
  error: { text: '失败', type: 'danger' },
}
