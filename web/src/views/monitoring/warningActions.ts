// What can be done to a warning in which state, and the note / reason asked
// for before 处置 and 误报 (1–500 characters, like the server checks).
import { ElMessageBox } from 'element-plus'
import type { WarningAction, WarningStatus } from '@/api/models'
import type { Filters } from '@/utils/query'
import { rangeQuery } from '@/utils/query'

export const NOTE_MAX = 500

const ACTIONS: Record<WarningStatus, WarningAction[]> = {
  open: ['acknowledge', 'handle', 'false_positive'],
  acknowledged: ['handle', 'false_positive'],
  handled: ['false_positive'],
  false_positive: [],
  closed: [],
}

export function availableActions(status: WarningStatus | string): WarningAction[] {
  return ACTIONS[status as WarningStatus] ?? []
}

export function noteProblem(note: string, action: WarningAction): string {
  const what = action === 'false_positive' ? '误报原因' : '处置说明'
  const t = note.trim()
  if (!t) return `请填写${what}`
  if (t.length > NOTE_MAX) return `${what}不能超过 ${NOTE_MAX} 字`
  return ''
}

/**
 * Ask before acting on `count` warnings: a confirmation for 确认, a note for
 * 处置 and a reason for 误报. Resolves the (trimmed) note, '' for 确认, or
 * null when cancelled.
 */
export async function askNote(action: WarningAction, count = 1): Promise<string | null> {
  const which = count > 1 ? `选中的 ${count} 条预警` : '该预警'
  try {
    if (action === 'acknowledge') {
      await ElMessageBox.confirm(`确认${which}？确认表示已知悉，将进入处置。`, '确认预警', {
        type: 'warning',
        confirmButtonText: '确认',
        cancelButtonText: '取消',
      })
      return ''
    }
    const fp = action === 'false_positive'
    const answer = await ElMessageBox.prompt(
      fp ? `将${which}标记为误报，请说明原因（计入规则精确率）。` : `填写${which}的处置情况。`,
      fp ? '标记误报' : '处置预警',
      {
        confirmButtonText: fp ? '标记误报' : '提交处置',
        cancelButtonText: '取消',
        inputType: 'textarea',
        inputPlaceholder: fp ? '误报原因，1–500 字' : '处置说明，1–500 字',
        inputValidator: (v: string) => noteProblem(v ?? '', action) || true,
      },
    )
    return (answer as { value: string }).value.trim()
  } catch {
    return null
  }
}

/** List filters (days in the URL) → the API query of GET /warnings and its export. */
export const warningQuery = (filters: Filters) => rangeQuery(filters)
