import { describe, expect, it, vi } from 'vitest'
import { defineComponent, h, nextTick } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'
import type { Page } from '@/api/models'
import { useListPage, type ListPageOptions, type ListParams } from './useListPage'

type F = { q: string; status: string }
const defaults: F = { q: '', status: '' }

const page = (items: string[], total: number, next: string | null = null, exact = true): Page<string> => ({
  total,
  total_exact: exact,
  items,
  next,
  partial: false,
})

/** Answers `q:page` (or `q:after`), 95 rows, with the cursor `c<page>` while pages follow. */
const answer = async (p: ListParams<F>) =>
  page([`${p.filters.q}:${p.after ?? p.page}`], 95, p.page < 5 ? `c${p.page}` : null)

async function setup(
  initial: string,
  fetchImpl?: (p: ListParams<F>) => Promise<Page<string>>,
  more: Partial<ListPageOptions<F, string>> = {},
) {
  const fetch = vi.fn(fetchImpl ?? answer)
  let list!: ReturnType<typeof useListPage<F, string>>
  const Page = defineComponent({
    setup() {
      list = useListPage<F, string>({ defaults, fetch, ...more })
      return () => h('div')
    },
  })
  const router: Router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/list', component: Page },
      { path: '/other', component: { render: () => h('p') } },
    ],
  })
  await router.push(initial)
  await router.isReady()
  const App = defineComponent({ render: () => h(Page) })
  mount(App, { global: { plugins: [router] } })
  await flushPromises()
  /** What the last fetch was asked for, without the filters. */
  const lastPaging = () => fetch.mock.lastCall![0].paging
  return { fetch, router, list: () => list, lastPaging }
}

describe('useListPage', () => {
  it('loads the state found in the URL (reload / shared link)', async () => {
    const { fetch, list } = await setup('/list?q=abc&status=locked&page=3&size=50&sort=-name')
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(fetch.mock.calls[0]![0]).toEqual({
      filters: { q: 'abc', status: 'locked' },
      page: 3,
      size: 50,
      sort: '-name',
      after: null,
      paging: { page: 3, size: 50, sort: '-name' },
      quiet: false,
    })
    expect(list().filters).toEqual({ q: 'abc', status: 'locked' })
    expect(list().total.value).toBe(95)
    expect(list().items.value).toEqual(['abc:3'])
    expect(list().next.value).toBe('c3')
    expect(list().tableSort.value).toEqual({ prop: 'name', order: 'descending' })
  })

  it('search writes the draft filters to the URL and resets to page 1', async () => {
    const { fetch, router, list } = await setup('/list?page=2')
    list().filters.q = '王'
    list().filters.status = 'active'
    await list().search()
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ q: '王', status: 'active' })
    expect(fetch).toHaveBeenLastCalledWith(
      expect.objectContaining({ filters: { q: '王', status: 'active' }, page: 1, size: 20, after: null }),
    )
  })

  it('paging keeps the applied filters, not unsubmitted edits', async () => {
    const { fetch, router, list } = await setup('/list?q=a')
    list().filters.q = 'typed-but-not-searched'
    await list().changePage(4)
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ q: 'a', page: '4' })
    expect(fetch).toHaveBeenLastCalledWith(expect.objectContaining({ filters: { q: 'a', status: '' }, page: 4, size: 20 }))
    await list().changeSize(100)
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ q: 'a', size: '100' })
  })

  it('one page forward follows the next cursor; other moves ask for the page number', async () => {
    const { router, list, lastPaging } = await setup('/list?q=a&page=2')
    expect(lastPaging()).toEqual({ page: 2, size: 20 })

    await list().changePage(3)
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ q: 'a', page: '3' })
    expect(lastPaging()).toEqual({ after: 'c2', size: 20 })
    expect(list().page.value).toBe(3)

    // and again from the page reached by cursor
    await list().changePage(4)
    await flushPromises()
    expect(lastPaging()).toEqual({ after: 'c3', size: 20 })

    // a jump, and a step back, go by number
    await list().changePage(6)
    await flushPromises()
    expect(lastPaging()).toEqual({ page: 6, size: 20 })
    await list().changePage(5)
    await flushPromises()
    expect(lastPaging()).toEqual({ page: 5, size: 20 })

    // the last page (next: null) has no cursor to follow
    await list().changePage(6)
    await flushPromises()
    expect(lastPaging()).toEqual({ page: 6, size: 20 })
  })

  it('a cursor is only followed with the same filters, sort and size', async () => {
    const { list, lastPaging } = await setup('/list?q=a')
    list().filters.q = 'b'
    await list().search()
    await flushPromises()
    expect(lastPaging()).toEqual({ page: 1, size: 20 })
    await list().changePage(2)
    await flushPromises()
    expect(lastPaging()).toEqual({ after: 'c1', size: 20 })

    await list().changeSort({ prop: 'name', order: 'ascending' })
    await flushPromises()
    expect(lastPaging()).toEqual({ page: 1, size: 20, sort: 'name' })
    await list().changePage(2)
    await flushPromises()
    expect(lastPaging()).toEqual({ after: 'c1', size: 20, sort: 'name' })

    // reloading the shown page asks for it by number
    await list().reload()
    expect(lastPaging()).toEqual({ page: 2, size: 20, sort: 'name' })
  })

  it('changeSort maps el-table orders to field / -field / the default, from page 1', async () => {
    const { router, list, lastPaging } = await setup('/list?page=3', undefined, { defaultSort: '-created_at' })
    expect(lastPaging()).toEqual({ page: 3, size: 20, sort: '-created_at' })
    expect(list().tableSort.value).toEqual({ prop: 'created_at', order: 'descending' })

    await list().changeSort({ prop: 'submitted_at', order: 'ascending' })
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ sort: 'submitted_at' })
    expect(lastPaging()).toEqual({ page: 1, size: 20, sort: 'submitted_at' })
    expect(list().tableSort.value).toEqual({ prop: 'submitted_at', order: 'ascending' })

    await list().changeSort({ prop: 'submitted_at', order: 'descending' })
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ sort: '-submitted_at' })
    expect(list().sort.value).toBe('-submitted_at')

    // the third click (no order): back to the list's default, left out of the URL
    await list().changeSort({ prop: 'submitted_at', order: null })
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({})
    expect(lastPaging()).toEqual({ page: 1, size: 20, sort: '-created_at' })
  })

  it('keeps total_exact and next for the pager', async () => {
    const { list } = await setup('/list', async () => page(['x'], 10_000, 'more', false))
    expect(list().totalExact.value).toBe(false)
    expect(list().pager.value).toEqual({ page: 1, size: 20, total: 10_000, exact: false, hasNext: true, partial: false, loading: false })
  })

  it('follows the back button', async () => {
    const { fetch, router, list } = await setup('/list')
    list().filters.q = 'x'
    await list().search()
    await flushPromises()
    router.back()
    await new Promise((r) => setTimeout(r, 0))
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/list')
    expect(list().filters.q).toBe('')
    expect(fetch).toHaveBeenLastCalledWith(expect.objectContaining({ filters: { q: '', status: '' }, page: 1, size: 20 }))
  })

  it('searching with an unchanged URL still reloads', async () => {
    const { fetch, list } = await setup('/list?q=a')
    const before = fetch.mock.calls.length
    await list().search()
    await flushPromises()
    expect(fetch.mock.calls.length).toBe(before + 1)
  })

  it('reset clears filters from the URL and keeps the sort', async () => {
    const { router, list } = await setup('/list?q=a&status=locked&page=2&sort=name')
    await list().reset()
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ sort: 'name' })
    expect(list().filters).toEqual(defaults)
  })

  it('keeps the first page\'s lower-bound total and shows a partial page while following the cursor', async () => {
    // The server counts a windowed filter on the first page only; later pages prove fewer rows.
    const windowed = async (p: ListParams<F>): Promise<Page<string>> =>
      p.after === null
        ? { ...page(['a', 'b'], 3751, 'c1', false) }
        : { ...page(['c'], 41, 'c2', false), partial: true }
    const { list } = await setup('/list?q=x', windowed)
    expect(list().total.value).toBe(3751)
    expect(list().pager.value.partial).toBe(false)
    await list().changePage(2)
    await flushPromises()
    expect(list().total.value).toBe(3751)
    expect(list().totalExact.value).toBe(false)
    expect(list().pager.value).toMatchObject({ partial: true, hasNext: true })
    // A new search starts from its own count.
    await list().changePage(1)
    await flushPromises()
    expect(list().pager.value.partial).toBe(false)
  })

  it('ignores a stale answer that arrives after a newer one', async () => {
    const resolvers: ((p: Page<string>) => void)[] = []
    const { list } = await setup('/list', () => new Promise((res) => resolvers.push(res)))
    list().filters.q = 'new'
    await list().search()
    await nextTick()
    expect(resolvers).toHaveLength(2)
    resolvers[1]!(page(['new'], 1))
    await flushPromises()
    resolvers[0]!(page(['old'], 9))
    await flushPromises()
    expect(list().items.value).toEqual(['new'])
    expect(list().total.value).toBe(1)
  })

  it('does not fetch again when navigating away', async () => {
    const { fetch, router } = await setup('/list')
    const n = fetch.mock.calls.length
    await router.push('/other?q=zzz')
    await flushPromises()
    expect(fetch.mock.calls.length).toBe(n)
  })

  it('a quiet poll keeps the rows when it fails', async () => {
    let fail = false
    const { fetch, list } = await setup('/list', async (p) => {
      if (fail) throw new Error('offline')
      return answer(p)
    })
    fail = true
    await list().poll()
    expect(fetch.mock.lastCall![0].quiet).toBe(true)
    expect(list().items.value).toEqual([':1'])
    expect(list().loading.value).toBe(false)
  })

  it('can keep its state out of the URL (a list inside a tab)', async () => {
    const { router, list, lastPaging } = await setup('/list?q=url', undefined, { inUrl: false, defaultSort: 'id' })
    expect(list().applied.value).toEqual(defaults)
    await list().changePage(2)
    await list().changeSort({ prop: 'id', order: 'descending' })
    expect(router.currentRoute.value.query).toEqual({ q: 'url' })
    expect(list().page.value).toBe(1)
    expect(lastPaging()).toEqual({ page: 1, size: 20, sort: '-id' })
  })
})
