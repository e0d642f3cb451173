import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import FilterBar from './FilterBar.vue'
import { dateRange } from '@/utils/dateRange'
import { defaultFilters } from './filters'

// Issue 16 item 1: a shortcut ending today (近7天, 本月 …) leaves `to` as it
// was; the bar must still apply the new range.
describe('dashboard filter bar', () => {
  it('applies a range whose end date did not change', async () => {
    const w = mount(FilterBar, {
      props: { modelValue: defaultFilters() },
      global: {
        plugins: [ElementPlus],
        stubs: { RegionTreeSelect: true, DepartmentSelect: true, ItemSelect: true },
      },
    })
    const [from, to] = dateRange('last7')
    expect(to).toBe(defaultFilters().to)
    w.findComponent({ name: 'ElDatePicker' }).vm.$emit('update:modelValue', [from, to])
    await w.vm.$nextTick()
    const emitted = w.emitted('update:modelValue') as [{ from: string; to: string }][]
    expect(emitted?.length).toBe(1)
    expect(emitted[0]![0]).toMatchObject({ from, to })
  })
})
