import { describe, expect, it } from 'vitest'
import { WIDE_SCREEN, initialHidden } from './useColumns'

// Issue 16 item 12: at 1366×768 the key columns show, the rest wait in the column chooser.
const defs = [
  { key: 'department', label: '实施部门' },
  { key: 'channel', label: '渠道', optional: true },
  { key: 'accepted_at', label: '受理时间', optional: true },
]

describe('column chooser defaults', () => {
  it('hides the optional columns on office screens', () => {
    expect(initialHidden(defs, 1366, null)).toEqual(['channel', 'accepted_at'])
  })
  it('shows everything on wide screens', () => {
    expect(initialHidden(defs, WIDE_SCREEN, null)).toEqual([])
  })
  it("keeps the user's choice, ignoring unknown or broken entries", () => {
    expect(initialHidden(defs, 1366, '["department","gone"]')).toEqual(['department'])
    expect(initialHidden(defs, 1920, '[]')).toEqual([])
    expect(initialHidden(defs, 1366, '{oops')).toEqual(['channel', 'accepted_at'])
  })
})
