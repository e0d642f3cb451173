import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import ListPager from './ListPager.vue'

function pager(props: {
  page: number
  size: number
  total: number
  exact?: boolean
  hasNext?: boolean
  partial?: boolean
  loading?: boolean
}) {
  return mount(ListPager, { props, global: { plugins: [ElementPlus] } })
}

const totalText = (w: ReturnType<typeof pager>) => w.find('[data-testid="pager-total"]').text()
const nextDisabled = (w: ReturnType<typeof pager>) => w.find('.btn-next').attributes('disabled') !== undefined

describe('ListPager', () => {
  it('shows an exact total with thousands separators', () => {
    const w = pager({ page: 1, size: 20, total: 1234 })
    expect(totalText(w)).toBe('共 1,234 条')
    expect(w.find('[data-testid="pager-total"]').attributes('data-exact')).toBe('true')
  })

  it('shows 10,000+ when the server stopped counting', () => {
    const w = pager({ page: 1, size: 20, total: 10_000, exact: false, hasNext: true })
    expect(totalText(w)).toBe('共 10,000+ 条')
    expect(w.find('[data-testid="pager-total"]').attributes('data-exact')).toBe('false')
  })

  it('still pages forward past a lower-bound total while pages follow', () => {
    // page 500 × 20 = the 10,000 counted rows: the last page, unless the count is a lower bound
    expect(nextDisabled(pager({ page: 500, size: 20, total: 10_000 }))).toBe(true)
    expect(nextDisabled(pager({ page: 500, size: 20, total: 10_000, exact: false, hasNext: true }))).toBe(false)
    expect(nextDisabled(pager({ page: 600, size: 20, total: 10_000, exact: false, hasNext: true }))).toBe(false)
    expect(nextDisabled(pager({ page: 600, size: 20, total: 10_000, exact: false, hasNext: false }))).toBe(true)
  })

  it('says a page stopped at the scan bound is partial, and only while another follows', () => {
    const hint = (w: ReturnType<typeof pager>) => w.find('[data-testid="pager-partial"]')
    const partial = pager({ page: 1, size: 20, total: 3, exact: false, hasNext: true, partial: true })
    expect(hint(partial).text()).toContain('继续查找')
    expect(nextDisabled(partial)).toBe(false)
    expect(hint(pager({ page: 1, size: 20, total: 3, exact: false, hasNext: false, partial: true })).exists()).toBe(false)
    expect(hint(pager({ page: 1, size: 20, total: 40, exact: false, hasNext: true })).exists()).toBe(false)
  })

  it('emits the page and size chosen', async () => {
    const w = pager({ page: 1, size: 20, total: 100 })
    await w.find('.btn-next').trigger('click')
    expect(w.emitted('page')).toEqual([[2]])
  })

  it('says 加载中 rather than 共 0 条 before the first answer (issue 16 item 13)', () => {
    expect(totalText(pager({ page: 1, size: 20, total: 0, loading: true }))).toBe('加载中…')
    expect(totalText(pager({ page: 2, size: 20, total: 55, loading: true }))).toBe('共 55 条')
    expect(totalText(pager({ page: 1, size: 20, total: 0 }))).toBe('共 0 条')
  })
})
