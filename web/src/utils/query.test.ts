import { describe, expect, it } from 'vitest'
import { activeFilters, allRows, localPage, queryToState, sameQuery, sortOf, stateToQuery, tableSortOf } from './query'

const defaults = { q: '', status: '', region: '' }

describe('queryToState', () => {
  it('reads filters, page and size from the URL query', () => {
    const st = queryToState({ q: '张', status: 'locked', page: '3', size: '50', other: 'x' }, defaults)
    expect(st).toEqual({ filters: { q: '张', status: 'locked', region: '' }, page: 3, size: 50, sort: '' })
  })

  it('falls back to defaults for missing or invalid values', () => {
    expect(queryToState({}, defaults)).toEqual({ filters: defaults, page: 1, size: 20, sort: '' })
    expect(queryToState({ page: '0', size: '7' }, defaults)).toMatchObject({ page: 1, size: 20 })
    expect(queryToState({ page: '-2', size: 'abc' }, defaults)).toMatchObject({ page: 1, size: 20 })
    expect(queryToState({ page: '2.5' }, defaults)).toMatchObject({ page: 1 })
    expect(queryToState({}, defaults, 50)).toMatchObject({ size: 50 })
  })

  it('takes the first value of repeated keys', () => {
    expect(queryToState({ q: ['a', 'b'], page: ['2', '9'] }, defaults)).toMatchObject({
      filters: { q: 'a' },
      page: 2,
    })
  })
})

describe('stateToQuery', () => {
  it('leaves out defaults, page 1 and the default size', () => {
    expect(stateToQuery({ filters: defaults, page: 1, size: 20, sort: '' }, defaults)).toEqual({})
  })

  it('writes non-default values as strings, trimmed', () => {
    expect(
      stateToQuery({ filters: { q: ' 王 ', status: '', region: '110105' }, page: 2, size: 100, sort: '' }, defaults),
    ).toEqual({ q: '王', region: '110105', page: '2', size: '100' })
  })

  it('round-trips through the URL', () => {
    const state = { filters: { q: 'x', status: 'active', region: '' }, page: 4, size: 10, sort: '' }
    expect(queryToState(stateToQuery(state, defaults), defaults)).toEqual(state)
  })
})

describe('sort in the URL', () => {
  const state = (sort: string) => ({ filters: defaults, page: 1, size: 20, sort })

  it('is left out when it is the list default, written otherwise', () => {
    expect(stateToQuery(state('-submitted_at'), defaults, 20, '-submitted_at')).toEqual({})
    expect(stateToQuery(state('submitted_at'), defaults, 20, '-submitted_at')).toEqual({ sort: 'submitted_at' })
    expect(stateToQuery(state('-case_code'), defaults, 20, '-submitted_at')).toEqual({ sort: '-case_code' })
  })

  it('round-trips, and a missing or malformed sort reads as the default', () => {
    for (const sort of ['-submitted_at', 'submitted_at', 'case_code', '-case_code']) {
      const q = stateToQuery(state(sort), defaults, 20, '-submitted_at')
      expect(queryToState(q, defaults, 20, '-submitted_at')).toEqual(state(sort))
    }
    expect(queryToState({}, defaults, 20, '-submitted_at').sort).toBe('-submitted_at')
    expect(queryToState({ sort: 'a b;drop' }, defaults, 20, '-seq').sort).toBe('-seq')
    expect(queryToState({ sort: ['name', '-name'] }, defaults, 20, 'code').sort).toBe('name')
  })

  it('maps to el-table and back', () => {
    expect(tableSortOf('-submitted_at')).toEqual({ prop: 'submitted_at', order: 'descending' })
    expect(tableSortOf('code')).toEqual({ prop: 'code', order: 'ascending' })
    expect(tableSortOf('')).toBeUndefined()
    expect(sortOf({ prop: 'submitted_at', order: 'ascending' }, '-submitted_at')).toBe('submitted_at')
    expect(sortOf({ prop: 'case_code', order: 'descending' }, '-submitted_at')).toBe('-case_code')
    expect(sortOf({ prop: 'case_code', order: null }, '-submitted_at')).toBe('-submitted_at')
    expect(sortOf({ prop: null, order: null }, '')).toBe('')
  })
})

describe('sameQuery', () => {
  it('ignores key order and empty values', () => {
    expect(sameQuery({ a: '1', b: '2' }, { b: '2', a: '1', c: '' })).toBe(true)
    expect(sameQuery({ a: '1' }, { a: '2' })).toBe(false)
    expect(sameQuery({ a: '1' }, { a: '1', page: '2' })).toBe(false)
    expect(sameQuery({ page: '2' }, { page: 2 as unknown as string })).toBe(true)
  })
})

describe('helpers', () => {
  it('activeFilters drops empty values', () => {
    expect(activeFilters({ q: '', status: 'locked' })).toEqual({ status: 'locked' })
  })

  it('localPage slices one page and keeps the total', () => {
    const all = Array.from({ length: 25 }, (_, i) => i)
    expect(localPage(all, 2, 10)).toEqual({ total: 25, total_exact: true, items: [10, 11, 12, 13, 14, 15, 16, 17, 18, 19], next: null, partial: false })
    expect(localPage(all, 3, 10).items).toEqual([20, 21, 22, 23, 24])
    expect(localPage(all, 4, 10).items).toEqual([])
  })
})

describe('allRows', () => {
  it('follows next cursors at the largest page size until the last page', async () => {
    const asked: Record<string, unknown>[] = []
    const rows = await allRows<number>(async (q) => {
      asked.push(q)
      const at = q.after === undefined ? 0 : Number(q.after)
      return { total: 5, total_exact: true, items: [at, at + 1].filter((n) => n < 5), next: at + 2 < 5 ? String(at + 2) : null, partial: false }
    })
    expect(rows).toEqual([0, 1, 2, 3, 4])
    expect(asked).toEqual([{ size: 500 }, { size: 500, after: '2' }, { size: 500, after: '4' }])
  })
})
