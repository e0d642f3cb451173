import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { h } from 'vue'
import SearchForm from './SearchForm.vue'
import { changedCount } from '@/utils/query'

// Issue 16 item 3: filters hidden behind 展开 must not act unseen.
function form(props: { hiddenActive?: number }) {
  return mount(SearchForm, {
    props: { collapsible: true, ...props },
    slots: { default: ({ expanded }: { expanded: boolean }) => (expanded ? h('span', { class: 'hidden-filter' }, '环节') : null) },
    global: { plugins: [ElementPlus] },
  })
}

describe('search form with hidden filters', () => {
  it('stays collapsed when no hidden filter is set', () => {
    const w = form({ hiddenActive: 0 })
    expect(w.find('.hidden-filter').exists()).toBe(false)
    expect(w.find('[data-testid="search-hidden-active"]').exists()).toBe(false)
  })

  it('opens when a hidden filter is in effect, and counts them once collapsed', async () => {
    const w = form({ hiddenActive: 1 })
    expect(w.find('.hidden-filter').exists()).toBe(true)
    await w.find('[data-testid="search-toggle"]').trigger('click')
    expect(w.find('.hidden-filter').exists()).toBe(false)
    expect(w.find('[data-testid="search-hidden-active"]').text()).toBe('1')
    await w.setProps({ hiddenActive: 2 })
    expect(w.find('.hidden-filter').exists()).toBe(true)
  })

  it('counts the hidden filters that differ from their default', () => {
    const defaults = { level: '', stage: '', region: '' }
    expect(changedCount({ level: 'red', stage: 'approval', region: '' }, defaults, ['stage', 'region'])).toBe(1)
    expect(changedCount(defaults, defaults, ['stage', 'region'])).toBe(0)
  })
})
