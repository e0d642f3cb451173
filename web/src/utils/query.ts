// Pure URL-query ⇄ list-state conversion used by useListPage. Filters are
// string-valued; a value equal to its default (usually '') is left out of the
// URL, and so are page 1 and the default page size, so URLs stay short.
import type { LocationQuery, LocationQueryRaw } from 'vue-router'
import type { QueryParams } from '@/api/client'
import { dayEnd, dayStart, isDay } from './format'

export type Filters = Record<string, string>

export const PAGE_SIZES = [10, 20, 50, 100]
export const DEFAULT_PAGE_SIZE = 20

export interface ListState<F extends Filters> {
  filters: F
  page: number
  size: number
}

function first(v: LocationQuery[string] | undefined): string | undefined {
  if (Array.isArray(v)) return v[0] ?? undefined
  return v ?? undefined
}

function positiveInt(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d+$/.test(s)) return undefined
  const n = Number(s)
  return n >= 1 && Number.isSafeInteger(n) ? n : undefined
}

export function queryToState<F extends Filters>(
  query: LocationQuery,
  defaults: F,
  defaultSize: number = DEFAULT_PAGE_SIZE,
): ListState<F> {
  const filters = { ...defaults }
  for (const key of Object.keys(defaults)) {
    const v = first(query[key])
    if (v !== undefined) (filters as Filters)[key] = v
  }
  const page = positiveInt(first(query.page)) ?? 1
  const sizeRaw = positiveInt(first(query.size))
  const size = sizeRaw !== undefined && PAGE_SIZES.includes(sizeRaw) ? sizeRaw : defaultSize
  return { filters, page, size }
}

export function stateToQuery<F extends Filters>(
  state: ListState<F>,
  defaults: F,
  defaultSize: number = DEFAULT_PAGE_SIZE,
): Record<string, string> {
  const q: Record<string, string> = {}
  for (const key of Object.keys(defaults)) {
    const v = (state.filters[key] ?? '').trim()
    if (v !== '' && v !== defaults[key]) q[key] = v
  }
  if (state.page > 1) q.page = String(state.page)
  if (state.size !== defaultSize) q.size = String(state.size)
  return q
}

/** Same meaning? (order-insensitive; arrays compare by their first value, as read). */
export function sameQuery(a: LocationQuery | LocationQueryRaw, b: LocationQuery | LocationQueryRaw): boolean {
  const norm = (q: LocationQuery | LocationQueryRaw) => {
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(q)) {
      const s = Array.isArray(v) ? v[0] : v
      if (s !== undefined && s !== null && s !== '') out[k] = String(s)
    }
    return out
  }
  const x = norm(a)
  const y = norm(b)
  const kx = Object.keys(x)
  return kx.length === Object.keys(y).length && kx.every((k) => x[k] === y[k])
}

/** Filters with empty values dropped, ready for the API query string. */
export function activeFilters<F extends Filters>(filters: F): Partial<F> {
  const out: Partial<F> = {}
  for (const [k, v] of Object.entries(filters)) {
    if (v !== '') (out as Filters)[k] = v
  }
  return out
}

/** One page of an in-memory list (for the few APIs that return whole arrays). */
export function localPage<T>(all: T[], page: number, size: number): { total: number; items: T[] } {
  const start = (page - 1) * size
  return { total: all.length, items: all.slice(start, start + size) }
}

/**
 * URL filters → API query. `from` / `to` are days (`YYYY-MM-DD`) in the URL;
 * the API takes RFC 3339 instants covering the whole days (+08:00), or, with
 * `days: true`, the days themselves. Invalid days are left out.
 */
export function rangeQuery(filters: Filters, opts: { days?: boolean } = {}): QueryParams {
  const { from, to, ...rest } = filters
  const q: QueryParams = { ...activeFilters(rest) }
  if (from && isDay(from)) q.from = opts.days ? from : dayStart(from)
  if (to && isDay(to)) q.to = opts.days ? to : dayEnd(to)
  return q
}
