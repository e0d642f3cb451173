import type { QueryParams } from '@/api/client'
import { rangeQuery, type Filters } from '@/utils/query'

/** URL filters (days `YYYY-MM-DD`) → API query (RFC 3339 instants, whole days, +08:00). */
export function auditQuery(filters: Filters): QueryParams {
  return rangeQuery(filters)
}
