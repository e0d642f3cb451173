// Pure URL-query ⇄ list-state conversion used by useListPage. Filters are
// string-valued; a value equal to its default (usually '') is left out of the
// URL, and so are page 1, the default page size and the list's default sort,
// so URLs stay short.
import type { LocationQuery, LocationQueryRaw } from 'vue-router'
import type { QueryParams } from '@/api/client'
import type { Page } from '@/api/models'
import { dayEnd, dayStart, isDay } from './format'

export type Filters = Record<string, string>

export const PAGE_SIZES = [10, 20, 50, 100]
export const DEFAULT_PAGE_SIZE = 20
/** The largest `size` the server accepts. */
export const MAX_PAGE_SIZE = 500

export interface ListState<F extends Filters> {
  filters: F
  page: number
  size: number
  /** The API's `sort`: `field` ascending, `-field` descending, '' the server's order. */
  sort: string
}

/** A sort key as the API takes it (`field` / `-field`). */
const SORT_KEY = /^-?[a-z][a-z0-9_]*$/

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
  defaultSort = '',
): ListState<F> {
  const filters = { ...defaults }
  for (const key of Object.keys(defaults)) {
    const v = first(query[key])
    if (v !== undefined) (filters as Filters)[key] = v
  }
  const page = positiveInt(first(query.page)) ?? 1
  const sizeRaw = positiveInt(first(query.size))
  const size = sizeRaw !== undefined && PAGE_SIZES.includes(sizeRaw) ? sizeRaw : defaultSize
  const sortRaw = first(query.sort)
  const sort = sortRaw !== undefined && SORT_KEY.test(sortRaw) ? sortRaw : defaultSort
  return { filters, page, size, sort }
}

export function stateToQuery<F extends Filters>(
  state: ListState<F>,
  defaults: F,
  defaultSize: number = DEFAULT_PAGE_SIZE,
  defaultSort = '',
): Record<string, string> {
  const q: Record<string, string> = {}
  for (const key of Object.keys(defaults)) {
    const v = (state.filters[key] ?? '').trim()
    if (v !== '' && v !== defaults[key]) q[key] = v
  }
  if (state.page > 1) q.page = String(state.page)
  if (state.size !== defaultSize) q.size = String(state.size)
  if (state.sort && state.sort !== defaultSort) q.sort = state.sort
  return q
}

/**
 * `sort-orders` of server-sorted columns: a header click flips ascending ⇄
 * descending (el-table's third "unsorted" state would leave the rows in the
 * list's default order with no arrow to say so).
 */
export const SORT_ORDERS: ('ascending' | 'descending')[] = ['ascending', 'descending']

/** el-table's view of a sort (`default-sort`, `sort-change`). */
export interface TableSort {
  prop: string
  order: 'ascending' | 'descending'
}

/** `-submitted_at` → `{ prop: 'submitted_at', order: 'descending' }`; '' → undefined. */
export function tableSortOf(sort: string): TableSort | undefined {
  if (!sort) return undefined
  return sort.startsWith('-') ? { prop: sort.slice(1), order: 'descending' } : { prop: sort, order: 'ascending' }
}

/**
 * el-table's `sort-change` → the API's sort: ascending `field`, descending
 * `-field`, no order (the third click) the list's default.
 */
export function sortOf(change: { prop?: string | null; order?: string | null }, defaultSort: string): string {
  if (!change.prop || !change.order) return defaultSort
  if (change.order === 'descending') return `-${change.prop}`
  if (change.order === 'ascending') return change.prop
  return defaultSort
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

/** How many of `keys` differ from their default (filters set behind the search form's 展开). */
export function changedCount<F extends Filters>(filters: F, defaults: F, keys: readonly (keyof F)[]): number {
  return keys.filter((k) => (filters[k] ?? '') !== (defaults[k] ?? '')).length
}

/** One page of an in-memory list (for the few APIs that return whole arrays). */
export function localPage<T>(all: T[], page: number, size: number): Page<T> {
  const start = (page - 1) * size
  return { total: all.length, total_exact: true, items: all.slice(start, start + size), next: null, partial: false }
}

/**
 * Every row of a list endpoint, following its `next` cursors (`size` at the
 * server's maximum), for the few pages that chart or sum a whole (small)
 * answer. Stops after `maxPages` pages.
 */
export async function allRows<T>(fetchPage: (q: QueryParams) => Promise<Page<T>>, maxPages = 20): Promise<T[]> {
  const rows: T[] = []
  let after: string | null = null
  for (let i = 0; i < maxPages; i++) {
    const res: Page<T> = await fetchPage(after === null ? { size: MAX_PAGE_SIZE } : { size: MAX_PAGE_SIZE, after })
    rows.push(...res.items)
    if (!res.next || res.items.length === 0) break
    after = res.next
  }
  return rows
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
