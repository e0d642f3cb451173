import { describe, expect, it } from 'vitest'
import { ACTIVE_WINDOW_MS, RED_POPUP, SHOWN_KEY, badgeText, freshRed, loadShown, saveShown, shouldPoll } from './inbox'

const msg = (id: number, at: string) => ({ id, title: `t${id}`, body: '', created_at: at, warning_id: id })

describe('inbox bell', () => {
  it('pops up only red messages not shown before, oldest first', () => {
    const list = [msg(3, '2026-03-03T10:00:00+08:00'), msg(1, '2026-03-01T10:00:00+08:00'), msg(2, '2026-03-02T10:00:00+08:00')]
    expect(freshRed(list, new Set(['2'])).map((m) => m.id)).toEqual([1, 3])
    expect(freshRed(list, new Set(['1', '2', '3']))).toEqual([])
  })

  it('remembers shown ids in session storage and survives garbage', () => {
    const store = new Map<string, string>()
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) }
    saveShown(storage, new Set(['7', '9']))
    expect(loadShown(storage)).toEqual(new Set(['7', '9']))
    store.set(SHOWN_KEY, '{not json')
    expect(loadShown(storage)).toEqual(new Set())
  })

  it('polls only while visible and recently used', () => {
    const now = 1_000_000
    expect(shouldPoll({ visible: true, lastActivity: now - 1000, now })).toBe(true)
    expect(shouldPoll({ visible: false, lastActivity: now, now })).toBe(false)
    expect(shouldPoll({ visible: true, lastActivity: now - ACTIVE_WINDOW_MS - 1, now })).toBe(false)
  })

  it('shows the count on the badge, 99+ past 99, nothing at 0', () => {
    expect([badgeText(0), badgeText(7), badgeText(100)]).toEqual(['', '7', '99+'])
  })
})

describe('red pop-up placement (issue 16 item 10)', () => {
  it('sits in a corner and closes by itself after a few seconds', () => {
    expect(RED_POPUP.position).toBe('bottom-right')
    expect(RED_POPUP.duration).toBeGreaterThanOrEqual(3_000)
    expect(RED_POPUP.duration).toBeLessThanOrEqual(15_000)
  })
})
