import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import ElementPlus from 'element-plus'
import { configureClient } from '@/api/client'
import type { CodeList, CodeListDetail, Me } from '@/api/models'
import { useAuthStore } from '@/stores/auth'
import { json, useFetchMock } from '@/testing/fetch'
import CodeListsView from './CodeListsView.vue'
import { REFRESH_OUTCOME, codeListSource } from './quality'


const MODES: CodeList = {
  code: 'handling_mode',
  name: '办理形式代码（GB/T 39046—2020 A.5）',
  version: 2,
  entries: [
    { code: '1', name: '窗口办理' },
    { code: '7', name: '自助终端' },
  ],
  entry_count: 2,
  source: 'https://codes.example.gov.cn/modes.csv',
  updated_by: 'system',
  updated_at: '2026-12-05T03:00:00+08:00',
  history: [1],
  editable: true,
  source_url: 'https://codes.example.gov.cn/modes.csv',
  schedule: '0 3 * * *',
  last_refresh: { at: '2026-12-05T03:00:00+08:00', outcome: 'error', message: '来源地址无法读取：HTTP 500' },
}
const CHANNELS: CodeList = {
  ...MODES,
  code: 'channel',
  name: '渠道',
  version: 0,
  source: 'builtin',
  editable: false,
  source_url: null,
  schedule: null,
  last_refresh: null,
}
const DETAIL: CodeListDetail = {
  ...MODES,
  versions: [
    { version: 2, entries: MODES.entries, source: MODES.source, created_by: 'system', created_at: '2026-12-05T03:00:00+08:00' },
    { version: 0, entries: [{ code: '1', name: '窗口办理' }], source: 'builtin', created_by: null, created_at: null },
  ],
}

const fetchMock = useFetchMock()

/** The page for a user holding `permissions`, the server answering `answer` for PUTs. */
async function mountPage(permissions: string[], answer?: Response) {
  const pinia = createPinia()
  setActivePinia(pinia)
  const auth = useAuthStore()
  auth.me = { username: 'u', permissions, csrf_token: 't' } as unknown as Me
  configureClient({ getCsrfToken: () => auth.csrfToken })
  fetchMock.mockImplementation(async (input, init) => {
    const url = String(input)
    if (init?.method === 'PUT') return answer ?? json(200, MODES)
    if (url.endsWith('/quality/code-lists')) return json(200, [MODES, CHANNELS])
    return json(200, DETAIL)
  })
  const wrapper = mount(CodeListsView, { global: { plugins: [pinia, ElementPlus] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}


describe('代码表', () => {
  it('lists the code lists with their last refresh and opens the first one', async () => {
    const wrapper = await mountPage(['data:read'])
    const table = wrapper.find('[data-testid="code-list-table"]').text()
    expect(table).toContain('办理形式代码')
    expect(table).toContain('渠道')
    expect(table).toContain('来源地址无法读取：HTTP 500')
    expect(wrapper.find('[data-testid="code-list-outcome"]').text()).toBe('失败')
    expect(wrapper.find('[data-testid="code-list-entries"]').text()).toContain('自助终端')
    // A reader changes nothing.
    expect(wrapper.find('[data-testid="code-list-upload"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="code-list-refresh"]').exists()).toBe(false)
  })

  it('offers upload and refresh to a source admin and shows a refused source URL at its field', async () => {
    const refused = json(400, {
      code: 'request.invalid',
      message: '来源地址被拒绝：回调地址不在安全管理员维护的白名单内',
      details: { fields: { source_url: '来源地址被拒绝：回调地址不在安全管理员维护的白名单内' } },
    })
    const wrapper = await mountPage(['data:read', 'source:write'], refused)
    expect(wrapper.find('[data-testid="code-list-upload"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="code-list-refresh"]').exists()).toBe(true)
    await wrapper.find('[data-testid="code-list-source-save"]').trigger('click')
    await flushPromises()
    const put = fetchMock.mock.calls.find(([, init]) => init?.method === 'PUT')!
    expect(String(put[0])).toBe('/api/v1/quality/code-lists/handling_mode/source')
    expect(JSON.parse(put[1]!.body as string)).toEqual({ source_url: MODES.source_url, schedule: '0 3 * * *' })
    // The refusal is shown at the source URL field.
    const field = wrapper.find('[data-testid="code-list-url"]').element.closest('.el-form-item')
    expect(field?.classList.contains('is-error')).toBe(true)
  })
})

describe('code list labels', () => {
  it('names where a version came from and how a refresh went', () => {
    expect(codeListSource('builtin')).toBe('内置')
    expect(codeListSource('file')).toBe('文件上传')
    expect(codeListSource('https://x/y.csv')).toBe('地址刷新：https://x/y.csv')
    expect(REFRESH_OUTCOME.unchanged.text).toBe('无变化')
  })
})
