import type { QueryParams } from '@/api/client'
import { dayEnd, dayStart, isDay } from '@/utils/format'
import { activeFilters, type Filters } from '@/utils/query'

/** URL filters (days `YYYY-MM-DD`) → API query (RFC 3339 instants, whole days, +08:00). */
export function auditQuery(filters: Filters): QueryParams {
  const { from, to, ...rest } = filters
  const q: QueryParams = { ...activeFilters(rest) }
  if (from && isDay(from)) q.from = dayStart(from)
  if (to && isDay(to)) q.to = dayEnd(to)
  return q
}
