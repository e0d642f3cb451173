import { describe, expect, it } from 'vitest'
import dayjs from 'dayjs'
import { DAYJS_LOCALE } from './locale'

// Issue 16 item 14: date pickers (Element Plus reads Day.js's locale) start the week on Monday.
describe('date locale', () => {
  it('starts weeks on Monday for zh-CN', () => {
    const locale = (dayjs().locale(DAYJS_LOCALE) as unknown as { $locale: () => { name: string; weekStart?: number } }).$locale()
    expect(locale.name).toBe('zh-cn')
    expect(locale.weekStart).toBe(1)
  })
})
