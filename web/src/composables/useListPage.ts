// List-page state shared by every list: filters + page + size + sort live in
// the URL query (reload / share / back button work), the search form edits a
// draft copy, and the table shows the answer for the URL's state.
//
// Paging: one page forward (p → p+1, same filters / sort / size) follows the
// `next` cursor of the page shown (`after=`, cheap for the server however deep
// the page); any other move asks for the page by number. The URL shows the
// page number either way.
import { computed, onMounted, reactive, ref, shallowRef, watch, type Ref, type UnwrapRef } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import type { QueryParams } from '@/api/client'
import type { Page } from '@/api/models'
import { showError } from '@/utils/feedback'
import {
  DEFAULT_PAGE_SIZE,
  changedCount,
  queryToState,
  sameQuery,
  sortOf,
  stateToQuery,
  tableSortOf,
  type Filters,
  type ListState,
} from '@/utils/query'

export interface ListParams<F extends Filters> {
  filters: F
  page: number
  size: number
  /** `field` / `-field`; '' when the list has no sort of its own. */
  sort: string
  /** The cursor the page is read after, or null when it is asked for by number. */
  after: string | null
  /** The paging part of the API query: `after` or `page`, `size`, `sort` (when set). */
  paging: QueryParams
  /** A poll (`poll()`): no spinner, no error message; send it as a background request. */
  quiet: boolean
}

export interface ListPageOptions<F extends Filters, T> {
  defaults: F
  fetch: (params: ListParams<F>) => Promise<Page<T>>
  defaultSize?: number
  /** The list's own order (`-submitted_at`), left out of the URL; '' for none. */
  defaultSort?: string
  /** Load on mount (default true). */
  immediate?: boolean
  /** Keep the state in the URL (default true); false for a list inside a tab or dialog. */
  inUrl?: boolean
  /** Called after every load that is still current, answered or failed. */
  onSettled?: () => void
}

/** The paging part of an API query (`after` replaces `page`). */
export function pagingQuery(p: { page: number; size: number; sort: string; after: string | null }): QueryParams {
  const q: QueryParams = p.after !== null ? { after: p.after, size: p.size } : { page: p.page, size: p.size }
  if (p.sort) q.sort = p.sort
  return q
}

export function useListPage<F extends Filters, T>(opts: ListPageOptions<F, T>) {
  const inUrl = opts.inUrl !== false
  const route = inUrl ? useRoute() : null
  const router = inUrl ? useRouter() : null
  const defaultSize = opts.defaultSize ?? DEFAULT_PAGE_SIZE
  const defaultSort = opts.defaultSort ?? ''
  const ownPath = route?.path ?? ''

  /** Draft filters bound to the search form. */
  const filters = reactive({ ...opts.defaults }) as UnwrapRef<F>
  /** Filters of the shown result (= the URL's). */
  const applied = shallowRef<F>({ ...opts.defaults })
  const page = ref(1)
  const size = ref(defaultSize)
  const sort = ref(defaultSort)
  const items = ref([]) as Ref<T[]>
  const total = ref(0)
  /** False when `total` is a lower bound (the server stopped counting). */
  const totalExact = ref(true)
  /** Cursor of the page after the one shown (null on the last page). */
  const next = ref<string | null>(null)
  /** The server stopped the shown page at its scan bound: more may follow though it is not full. */
  const partial = ref(false)
  const loading = ref(false)
  let seq = 0
  /** The page shown: its filters / sort / size, number and `next` cursor. */
  let shown: { key: string; page: number; next: string | null } | null = null

  const keyOf = () => JSON.stringify([applied.value, sort.value, size.value])

  function setState(st: ListState<F>): void {
    applied.value = st.filters
    Object.assign(filters, st.filters)
    page.value = st.page
    size.value = st.size
    sort.value = st.sort
  }

  function readRoute(): void {
    if (route) setState(queryToState(route.query, opts.defaults, defaultSize, defaultSort))
  }

  async function load(quiet = false): Promise<void> {
    const mine = ++seq
    if (!quiet) loading.value = true
    const key = keyOf()
    const after = shown && shown.key === key && shown.page + 1 === page.value ? shown.next : null
    const params: ListParams<F> = {
      filters: { ...applied.value },
      page: page.value,
      size: size.value,
      sort: sort.value,
      after,
      paging: pagingQuery({ page: page.value, size: size.value, sort: sort.value, after }),
      quiet,
    }
    try {
      const res = await opts.fetch(params)
      if (mine !== seq) return
      items.value = res.items
      // A page read after a cursor is not counted again (its total only says
      // what it proves): keep the lower bound the first page counted.
      const exact = res.total_exact !== false
      total.value = !exact && after !== null ? Math.max(total.value, res.total) : res.total
      totalExact.value = exact
      next.value = res.next ?? null
      partial.value = res.partial === true
      shown = { key, page: params.page, next: next.value }
      // Past the last page (e.g. after deleting its only row): step back.
      const last = Math.ceil(res.total / size.value)
      if (res.items.length === 0 && last >= 1 && last < page.value) await navigate(at(last))
    } catch (e) {
      if (mine !== seq || quiet) return
      items.value = []
      total.value = 0
      totalExact.value = true
      next.value = null
      partial.value = false
      shown = null
      showError(e)
    } finally {
      if (mine === seq) {
        loading.value = false
        opts.onSettled?.()
      }
    }
  }

  async function navigate(state: ListState<F>): Promise<void> {
    if (!route || !router) {
      setState(state)
      await load()
      return
    }
    const query = stateToQuery(state, opts.defaults, defaultSize, defaultSort)
    if (sameQuery(query, route.query)) {
      readRoute()
      await load()
    } else {
      await router.push({ path: ownPath, query })
    }
  }

  const at = (p: number, over: Partial<ListState<F>> = {}): ListState<F> => ({
    filters: applied.value,
    page: p,
    size: size.value,
    sort: sort.value,
    ...over,
  })

  /** Apply the draft filters (search button / Enter). */
  const search = () => navigate(at(1, { filters: { ...(filters as F) } }))
  /** Back to the default filters (the sort stays, as the table header shows it). */
  const reset = () => navigate(at(1, { filters: { ...opts.defaults } }))
  const changePage = (p: number) => navigate(at(p))
  const changeSize = (s: number) => navigate(at(1, { size: s }))
  /** el-table `@sort-change`: ascending / descending / none (→ the list's default), from page 1. */
  const changeSort = (c: { prop?: string | null; order?: string | null }) =>
    navigate(at(1, { sort: sortOf(c, defaultSort) }))
  /** Reload the current page (after a write). */
  const reload = () => load()
  /** Reload quietly (a timer's refresh): no spinner, errors ignored, rows kept. */
  const poll = () => load(true)

  /** How many of these filters the shown result applies (for `SearchForm :hidden-active`). */
  const activeCount = (keys: readonly (keyof F)[]) => changedCount(applied.value, opts.defaults, keys)

  /** For el-table `:default-sort` (the header arrow after a reload). */
  const tableSort = computed(() => tableSortOf(sort.value))
  /** For `<ListPager v-bind="list.pager.value">`. */
  const pager = computed(() => ({
    page: page.value,
    size: size.value,
    total: total.value,
    exact: totalExact.value,
    hasNext: next.value !== null,
    partial: partial.value,
    loading: loading.value,
  }))

  if (route) {
    watch(
      () => route.query,
      () => {
        if (route.path !== ownPath) return
        readRoute()
        void load()
      },
    )
    readRoute()
  }
  if (opts.immediate !== false) onMounted(() => void load())

  return {
    filters,
    applied,
    page,
    size,
    sort,
    items,
    total,
    totalExact,
    next,
    partial,
    loading,
    tableSort,
    pager,
    search,
    reset,
    changePage,
    changeSize,
    changeSort,
    reload,
    poll,
    activeCount,
  }
}
