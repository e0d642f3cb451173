// Routes of the aggregation detail pages (one place for their names and params).
import type { RouteLocationRaw } from 'vue-router'

export const itemLink = (itemCode: string): RouteLocationRaw => ({ name: 'agg-item', params: { itemCode } })
export const caseLink = (caseCode: string): RouteLocationRaw => ({ name: 'agg-case', params: { caseCode } })
