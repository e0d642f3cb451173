import { describe, expect, it, vi } from 'vitest'
import { defineComponent, h, nextTick } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'
import type { Page } from '@/api/types'
import { useListPage, type ListParams } from './useListPage'

type F = { q: string; status: string }
const defaults: F = { q: '', status: '' }

async function setup(initial: string, fetchImpl?: (p: ListParams<F>) => Promise<Page<string>>) {
  const fetch = vi.fn(fetchImpl ?? (async (p: ListParams<F>) => ({ total: 95, items: [`${p.filters.q}:${p.page}`] })))
  let list!: ReturnType<typeof useListPage<F, string>>
  const Page = defineComponent({
    setup() {
      list = useListPage<F, string>({ defaults, fetch })
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
  return { fetch, router, list: () => list }
}

describe('useListPage', () => {
  it('loads the state found in the URL (reload / shared link)', async () => {
    const { fetch, list } = await setup('/list?q=abc&status=locked&page=3&size=50')
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(fetch.mock.calls[0]![0]).toEqual({ filters: { q: 'abc', status: 'locked' }, page: 3, size: 50 })
    expect(list().filters).toEqual({ q: 'abc', status: 'locked' })
    expect(list().total.value).toBe(95)
    expect(list().items.value).toEqual(['abc:3'])
  })

  it('search writes the draft filters to the URL and resets to page 1', async () => {
    const { fetch, router, list } = await setup('/list?page=2')
    list().filters.q = '王'
    list().filters.status = 'active'
    await list().search()
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ q: '王', status: 'active' })
    expect(fetch).toHaveBeenLastCalledWith({ filters: { q: '王', status: 'active' }, page: 1, size: 20 })
  })

  it('paging keeps the applied filters, not unsubmitted edits', async () => {
    const { fetch, router, list } = await setup('/list?q=a')
    list().filters.q = 'typed-but-not-searched'
    await list().changePage(4)
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ q: 'a', page: '4' })
    expect(fetch).toHaveBeenLastCalledWith({ filters: { q: 'a', status: '' }, page: 4, size: 20 })
    await list().changeSize(100)
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ q: 'a', size: '100' })
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
    expect(fetch).toHaveBeenLastCalledWith({ filters: { q: '', status: '' }, page: 1, size: 20 })
  })

  it('searching with an unchanged URL still reloads', async () => {
    const { fetch, list } = await setup('/list?q=a')
    const before = fetch.mock.calls.length
    await list().search()
    await flushPromises()
    expect(fetch.mock.calls.length).toBe(before + 1)
  })

  it('reset clears filters from the URL', async () => {
    const { router, list } = await setup('/list?q=a&status=locked&page=2')
    await list().reset()
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({})
    expect(list().filters).toEqual(defaults)
  })

  it('ignores a stale answer that arrives after a newer one', async () => {
    const resolvers: ((p: Page<string>) => void)[] = []
    const { list } = await setup('/list', () => new Promise((res) => resolvers.push(res)))
    list().filters.q = 'new'
    await list().search()
    await nextTick()
    expect(resolvers).toHaveLength(2)
    resolvers[1]!({ total: 1, items: ['new'] })
    await flushPromises()
    resolvers[0]!({ total: 9, items: ['old'] })
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
})
