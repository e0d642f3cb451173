import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import { resetClient } from '@/api/client'
import type { ExportJob } from '@/api/models'
import { json } from '@/testing/fetch'
import {
  BACKGROUND_THRESHOLD,
  POLL_MS,
  exportFilters,
  filterText,
  needsBackground,
  percent,
  useBackgroundExport,
  useExportJobs,
} from './useBackgroundExport'

/** GET /exports: one page of jobs. */
const jobs = (items: ExportJob[]) => json(200, { total: items.length, total_exact: true, items, next: null })

const job = (over: Partial<ExportJob> = {}): ExportJob => ({
  id: 7,
  source: 'cases',
  format: 'xlsx',
  status: 'queued',
  rows: 0,
  total: 0,
  progress: 0,
  filters: {},
  file_name: null,
  created_at: '2026-11-21T10:00:00+08:00',
  started_at: null,
  finished_at: null,
  error: null,
  ...over,
})

const fetchMock = vi.fn<typeof fetch>()
/** `METHOD path` of every request made. */
const calls = () => fetchMock.mock.calls.map(([url, init]) => `${init?.method ?? 'GET'} ${String(url)}`)
const header = (i: number, name: string) => (fetchMock.mock.calls[i]![1]?.headers as Record<string, string>)[name]

beforeEach(() => {
  resetClient()
  fetchMock.mockReset()
  vi.stubGlobal('fetch', fetchMock)
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

async function mountWith<T>(use: () => T) {
  let api!: T
  const Page = defineComponent({
    setup() {
      api = use()
      return () => h('div')
    },
  })
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/list', component: Page },
      { path: '/system/exports', component: { render: () => h('p') } },
    ],
  })
  await router.push('/list')
  await router.isReady()
  const wrapper = mount(defineComponent({ render: () => h(Page) }), { global: { plugins: [router] } })
  await flushPromises()
  return { api, wrapper, router }
}

describe('export helpers', () => {
  it('goes to the background beyond 10,000 rows', () => {
    expect(BACKGROUND_THRESHOLD).toBe(10_000)
    expect(needsBackground(10_000)).toBe(false)
    expect(needsBackground(10_001)).toBe(true)
  })

  it('turns a list query into job filters without empty values or paging', () => {
    expect(
      exportFilters({ region: '110105', q: '', item: null, status: undefined, page: 2, size: 50, sort: '-id', after: 'c', format: 'csv', linked: true, level: ['red', 'yellow'] }),
    ).toEqual({ region: '110105', linked: true, level: 'red' })
  })

  it('describes filters and progress', () => {
    expect(filterText({ region: '110105', from: '2026-11-01', x: 'y' })).toBe('区划：110105；开始：2026-11-01；x：y')
    expect(filterText({})).toBe('全部')
    expect(percent(job({ status: 'running', progress: 0.456 }))).toBe(45)
    expect(percent(job({ status: 'done', progress: 0 }))).toBe(100)
    expect(percent(job({ status: 'running', progress: 1.7 }))).toBe(100)
  })
})

describe('useBackgroundExport', () => {
  it('queues a background job with the shown filters and points to 导出任务', async () => {
    fetchMock.mockResolvedValueOnce(json(202, job()))
    const { api, router } = await mountWith(() =>
      useBackgroundExport({ source: 'cases', query: () => ({ region: '110105', from: '', page: 1 }), total: () => 25_000 }),
    )
    expect(api.large.value).toBe(true)
    const done = api.background('csv')
    expect(api.busy.value).toBe('csv')
    expect((await done)?.id).toBe(7)
    expect(api.busy.value).toBe('')
    expect(calls()).toEqual(['POST /api/v1/exports'])
    expect(JSON.parse(String(fetchMock.mock.calls[0]![1]?.body))).toEqual({ source: 'cases', format: 'csv', filters: { region: '110105' } })
    const link = document.querySelector<HTMLAnchorElement>('[data-testid="export-jobs-link"]')
    expect(link?.textContent).toBe('导出任务')
    link!.click()
    await flushPromises()
    expect(router.currentRoute.value.path).toBe('/system/exports')
  })

  it('waits for a small job, then downloads its file', async () => {
    fetchMock
      .mockResolvedValueOnce(json(202, job()))
      .mockResolvedValueOnce(json(200, job({ status: 'running', rows: 10, total: 20, progress: 0.5 })))
      .mockResolvedValueOnce(json(200, job({ status: 'done', rows: 20, total: 20, progress: 1, file_name: 'cases.xlsx' })))
    const clicked: string[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.getAttribute('href') ?? '')
    })
    const { api } = await mountWith(() => useBackgroundExport({ source: 'cases', query: () => ({}), total: () => 20 }))
    expect(api.large.value).toBe(false)
    const done = api.viaJob('xlsx')
    await vi.advanceTimersByTimeAsync(5_000)
    expect((await done)?.status).toBe('done')
    expect(calls()).toEqual(['POST /api/v1/exports', 'GET /api/v1/exports/7', 'GET /api/v1/exports/7'])
    expect(header(1, 'X-Background')).toBe('1')
    expect(clicked).toEqual(['/api/v1/exports/7/download'])
  })

  it('shows why a job failed and downloads nothing', async () => {
    fetchMock
      .mockResolvedValueOnce(json(202, job()))
      .mockResolvedValueOnce(json(200, job({ status: 'failed', error: '超过单次导出上限' })))
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    const { api } = await mountWith(() => useBackgroundExport({ source: 'warnings', query: () => ({}), total: () => 5 }))
    const done = api.viaJob('csv')
    await vi.advanceTimersByTimeAsync(1_000)
    expect((await done)?.status).toBe('failed')
    expect(click).not.toHaveBeenCalled()
    expect(document.body.textContent).toContain('超过单次导出上限')
  })

  it('reports a refused request', async () => {
    fetchMock.mockResolvedValueOnce(
      json(400, { code: 'request.invalid', message: '时间格式须为 YYYY-MM-DD 或 RFC 3339', details: { fields: { from: 'x' } } }),
    )
    const { api } = await mountWith(() => useBackgroundExport({ source: 'cases', query: () => ({ from: 'x' }), total: () => 50_000 }))
    expect(await api.background('xlsx')).toBeNull()
    expect(document.body.textContent).toContain('时间格式须为')
    expect(api.busy.value).toBe('')
  })
})

describe('useExportJobs', () => {
  it('polls every 2 s while a job runs, quietly, and stops when all are finished', async () => {
    fetchMock
      .mockResolvedValueOnce(jobs([job({ status: 'running', progress: 0.2 }), job({ id: 6, status: 'done' })]))
      .mockResolvedValueOnce(jobs([job({ status: 'running', progress: 0.8 }), job({ id: 6, status: 'done' })]))
      .mockResolvedValueOnce(jobs([job({ status: 'done', progress: 1 }), job({ id: 6, status: 'done' })]))
    const { api, wrapper } = await mountWith(() => useExportJobs())
    expect(calls()).toEqual(['GET /api/v1/exports?page=1&size=20&sort=-created_at'])
    expect(header(0, 'X-Background')).toBeUndefined()
    expect(api.active.value).toBe(true)
    await vi.advanceTimersByTimeAsync(POLL_MS)
    expect(api.jobs.value[0]!.progress).toBe(0.8)
    expect(header(1, 'X-Background')).toBe('1')
    await vi.advanceTimersByTimeAsync(POLL_MS)
    expect(api.active.value).toBe(false)
    await vi.advanceTimersByTimeAsync(POLL_MS * 5)
    expect(fetchMock).toHaveBeenCalledTimes(3)
    wrapper.unmount()
  })

  it('stops polling when the page is left', async () => {
    fetchMock.mockImplementation(async () => jobs([job({ status: 'queued' })]))
    const { wrapper } = await mountWith(() => useExportJobs())
    await vi.advanceTimersByTimeAsync(POLL_MS)
    expect(fetchMock).toHaveBeenCalledTimes(2)
    wrapper.unmount()
    await vi.advanceTimersByTimeAsync(POLL_MS * 5)
    expect(fetchMock).toHaveBeenCalledTimes(2)
  })
})

describe('ListExportButtons', () => {
  async function buttons(props: { total: number; exact?: boolean; query?: Record<string, string>; directUrl?: () => string }) {
    const { default: ElementPlus } = await import('element-plus')
    const { default: ListExportButtons } = await import('@/views/exports/ListExportButtons.vue')
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: { render: () => h('p') } }] })
    const wrapper = mount(ListExportButtons, {
      props: { source: 'warnings', query: {}, testid: 'w', ...props },
      global: { plugins: [router, ElementPlus] },
    })
    await flushPromises()
    return wrapper
  }

  it('offers 后台导出 beyond 10,000 rows, the direct download below, or a waited-for job', async () => {
    const large = await buttons({ total: 10_001, directUrl: () => '/x' })
    expect(large.find('[data-testid="w-background"]').text()).toContain('后台导出')
    expect(large.find('[data-testid="w-xlsx"]').exists()).toBe(false)

    const direct = await buttons({ total: 10_000, directUrl: () => '/x' })
    expect(direct.find('[data-testid="w-background"]').exists()).toBe(false)
    expect(direct.find('[data-testid="w-xlsx"]').text()).toBe('导出 Excel')

    // 10,000+ (the list stopped counting) is beyond the threshold
    const counted = await buttons({ total: 10_000, exact: false, directUrl: () => '/x' })
    expect(counted.find('[data-testid="w-background"]').exists()).toBe(true)

    fetchMock.mockResolvedValueOnce(json(202, job()))
    const viaJob = await buttons({ total: 3, query: { region: '110105' } })
    await viaJob.find('[data-testid="w-csv"]').trigger('click')
    await flushPromises()
    expect(calls()).toEqual(['POST /api/v1/exports'])
    expect(JSON.parse(String(fetchMock.mock.calls[0]![1]?.body))).toEqual({ source: 'warnings', format: 'csv', filters: { region: '110105' } })
    viaJob.unmount()
  })
})
