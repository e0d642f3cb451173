// Stage clocks of a case (时限): the traffic-light tone of the used share and
// the texts around it. Green below 80 %, yellow from 80 %, red when overdue.
import type { StageClock } from '@/api/models'
import { LIMIT_UNIT, textOf } from '@/utils/labels'

export type ClockTone = 'success' | 'warning' | 'danger'

export const TONE_COLOUR: Record<ClockTone, string> = {
  success: '#67C23A',
  warning: '#E6A23C',
  danger: '#F56C6C',
}

export const YELLOW_SHARE = 0.8

export function clockTone(c: Pick<StageClock, 'status' | 'used_share' | 'remaining'>): ClockTone {
  if (c.status === 'overdue' || c.status === 'completed_late' || c.remaining < 0) return 'danger'
  if (c.used_share >= YELLOW_SHARE) return 'warning'
  return 'success'
}

/** Used share as a 0–100 bar (the bar stops at 100 %; the label tells the truth). */
export function clockPercent(c: Pick<StageClock, 'used_share'>): number {
  const p = Math.round((c.used_share || 0) * 100)
  return Math.max(0, Math.min(100, p))
}

/** `剩余 3 工作日` / `超期 2 工作日`. */
export function remainingText(c: Pick<StageClock, 'remaining' | 'unit'>): string {
  const unit = textOf(LIMIT_UNIT, c.unit)
  return c.remaining >= 0 ? `剩余 ${c.remaining} ${unit}` : `超期 ${-c.remaining} ${unit}`
}

/** A case past a deadline: flagged by the server, or a stage clock running overdue now. */
export function caseOverdue(c: { overdue?: boolean | null; clocks?: Pick<StageClock, 'status'>[] | null }): boolean {
  return c.overdue === true || (c.clocks ?? []).some((k) => k.status === 'overdue')
}
