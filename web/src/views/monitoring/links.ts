// Routes of the monitoring detail pages (one place for their names and params).
import type { RouteLocationRaw } from 'vue-router'
import { caseLink } from '@/views/aggregation/links'

export const warningLink = (id: number | string): RouteLocationRaw => ({ name: 'mon-warning', params: { id: String(id) } })
export const ruleLink = (code: string): RouteLocationRaw => ({ name: 'mon-rule', params: { code } })
export const newRuleLink: RouteLocationRaw = { name: 'mon-rule-new' }

/**
 * What a warning is about: a case (its detail page) or, for consultation
 * rules, a consultation (ZX…) — those have no detail page, so the 咨询数据
 * list searched by that code.
 */
export function subjectLink(stage: string, code: string): RouteLocationRaw {
  return stage === 'consultation' ? { name: 'agg-consultations', query: { q: code } } : caseLink(code)
}

/** Header of the subject-code column: 办件编号, 咨询编号, or both kinds mixed. */
export function subjectHeader(stages: readonly string[]): string {
  const consultations = stages.filter((s) => s === 'consultation').length
  if (consultations === 0) return '办件编号'
  return consultations === stages.length ? '咨询编号' : '办件/咨询编号'
}

/** Label of a warning's note: a false-positive reason is no handling note. */
export const noteLabel = (status: string): string => (status === 'false_positive' ? '误报原因' : '处置说明')

/** Who acted: the person's name (username when the user is gone); the evaluator writes as `system`. */
export function actorText(actor: string | null, name?: string | null): string {
  if (!actor || actor === 'system') return '系统'
  return `操作人：${name || actor}`
}
