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
