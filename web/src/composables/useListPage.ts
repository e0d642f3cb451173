// List-page state shared by every list: filters + page + size live in the URL
// query (reload / share / back button work), the search form edits a draft
// copy, and the table shows the answer for the URL's state.
import { onMounted, reactive, ref, shallowRef, watch, type Ref, type UnwrapRef } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import type { Page } from '@/api/types'
import { showError } from '@/utils/feedback'
import {
  DEFAULT_PAGE_SIZE,
  queryToState,
  sameQuery,
  stateToQuery,
  type Filters,
  type ListState,
} from '@/utils/query'

export interface ListParams<F extends Filters> {
  filters: F
  page: number
  size: number
}

export interface ListPageOptions<F extends Filters, T> {
  defaults: F
  fetch: (params: ListParams<F>) => Promise<Page<T>>
  defaultSize?: number
  /** Load on mount (default true). */
  immediate?: boolean
}

export function useListPage<F extends Filters, T>(opts: ListPageOptions<F, T>) {
  const route = useRoute()
  const router = useRouter()
  const defaultSize = opts.defaultSize ?? DEFAULT_PAGE_SIZE
  const ownPath = route.path

  /** Draft filters bound to the search form. */
  const filters = reactive({ ...opts.defaults }) as UnwrapRef<F>
  /** Filters of the shown result (= the URL's). */
  const applied = shallowRef<F>({ ...opts.defaults })
  const page = ref(1)
  const size = ref(defaultSize)
  const items = ref([]) as Ref<T[]>
  const total = ref(0)
  const loading = ref(false)
  let seq = 0

  function readRoute(): void {
    const st = queryToState(route.query, opts.defaults, defaultSize)
    applied.value = st.filters
    Object.assign(filters, st.filters)
    page.value = st.page
    size.value = st.size
  }

  async function load(): Promise<void> {
    const mine = ++seq
    loading.value = true
    try {
      const res = await opts.fetch({ filters: { ...applied.value }, page: page.value, size: size.value })
      if (mine !== seq) return
      items.value = res.items
      total.value = res.total
      // Past the last page (e.g. after deleting its only row): step back.
      if (res.items.length === 0 && res.total > 0 && page.value > 1) {
        await navigate({ filters: applied.value, page: Math.ceil(res.total / size.value), size: size.value })
      }
    } catch (e) {
      if (mine !== seq) return
      items.value = []
      total.value = 0
      showError(e)
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  async function navigate(state: ListState<F>): Promise<void> {
    const query = stateToQuery(state, opts.defaults, defaultSize)
    if (sameQuery(query, route.query)) {
      readRoute()
      await load()
    } else {
      await router.push({ path: ownPath, query })
    }
  }

  /** Apply the draft filters (search button / Enter). */
  const search = () => navigate({ filters: { ...(filters as F) }, page: 1, size: size.value })
  /** Back to the default filters. */
  const reset = () => navigate({ filters: { ...opts.defaults }, page: 1, size: size.value })
  const changePage = (p: number) => navigate({ filters: applied.value, page: p, size: size.value })
  const changeSize = (s: number) => navigate({ filters: applied.value, page: 1, size: s })
  /** Reload the current page (after a write). */
  const reload = () => load()

  watch(
    () => route.query,
    () => {
      if (route.path !== ownPath) return
      readRoute()
      void load()
    },
  )

  readRoute()
  if (opts.immediate !== false) onMounted(() => void load())

  return { filters, applied, page, size, items, total, loading, search, reset, changePage, changeSize, reload }
}
