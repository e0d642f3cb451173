// Routes of the monitoring detail pages (one place for their names and params).
import type { RouteLocationRaw } from 'vue-router'

export const warningLink = (id: number | string): RouteLocationRaw => ({ name: 'mon-warning', params: { id: String(id) } })
export const ruleLink = (code: string): RouteLocationRaw => ({ name: 'mon-rule', params: { code } })
export const newRuleLink: RouteLocationRaw = { name: 'mon-rule-new' }
