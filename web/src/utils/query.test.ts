import { describe, expect, it } from 'vitest'
import { activeFilters, localPage, queryToState, sameQuery, stateToQuery } from './query'

const defaults = { q: '', status: '', region: '' }

describe('queryToState', () => {
  it('reads filters, page and size from the URL query', () => {
    const st = queryToState({ q: '张', status: 'locked', page: '3', size: '50', other: 'x' }, defaults)
    expect(st).toEqual({ filters: { q: '张', status: 'locked', region: '' }, page: 3, size: 50 })
  })

  it('falls back to defaults for missing or invalid values', () => {
    expect(queryToState({}, defaults)).toEqual({ filters: defaults, page: 1, size: 20 })
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
    expect(stateToQuery({ filters: defaults, page: 1, size: 20 }, defaults)).toEqual({})
  })

  it('writes non-default values as strings, trimmed', () => {
    expect(
      stateToQuery({ filters: { q: ' 王 ', status: '', region: '110105' }, page: 2, size: 100 }, defaults),
    ).toEqual({ q: '王', region: '110105', page: '2', size: '100' })
  })

  it('round-trips through the URL', () => {
    const state = { filters: { q: 'x', status: 'active', region: '' }, page: 4, size: 10 }
    expect(queryToState(stateToQuery(state, defaults), defaults)).toEqual(state)
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
    expect(localPage(all, 2, 10)).toEqual({ total: 25, items: [10, 11, 12, 13, 14, 15, 16, 17, 18, 19] })
    expect(localPage(all, 3, 10).items).toEqual([20, 21, 22, 23, 24])
    expect(localPage(all, 4, 10).items).toEqual([])
  })
})
