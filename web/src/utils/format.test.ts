import { describe, expect, it } from 'vitest'
import {
  dayEnd,
  dayStart,
  excerpt,
  formatDate,
  formatDateTime,
  formatDecimal,
  formatNumber,
  formatPercent,
  isDay,
  prettyJson,
  shortHash,
} from './format'
import { dateRange, dayToPickerDate } from './dateRange'
import { auditQuery } from '@/views/audit/auditQuery'
import { auditApi } from '@/api'
import { safeRedirect } from './redirect'
import { rangeQuery } from './query'

describe('formatDateTime', () => {
  it('formats RFC 3339 instants as Asia/Shanghai wall time', () => {
    expect(formatDateTime('2026-11-21T09:30:00+08:00')).toBe('2026-11-21 09:30')
    expect(formatDateTime('2026-11-21T01:30:00Z')).toBe('2026-11-21 09:30')
    // crosses midnight when converted
    expect(formatDateTime('2026-11-20T16:05:09Z')).toBe('2026-11-21 00:05')
    expect(formatDateTime('2026-11-20T16:05:09Z', { seconds: true })).toBe('2026-11-21 00:05:09')
  })

  it('shows — for empty values and the raw text when unparsable', () => {
    expect(formatDateTime(null)).toBe('—')
    expect(formatDateTime(undefined)).toBe('—')
    expect(formatDateTime('')).toBe('—')
    expect(formatDateTime('not a date')).toBe('not a date')
  })

  it('formatDate gives the Shanghai calendar day', () => {
    expect(formatDate('2026-12-31T20:00:00Z')).toBe('2027-01-01')
  })
})

describe('numbers', () => {
  it('uses thousands separators', () => {
    expect(formatNumber(0)).toBe('0')
    expect(formatNumber(1234)).toBe('1,234')
    expect(formatNumber(22000000)).toBe('22,000,000')
    expect(formatNumber(-9876543.21)).toBe('-9,876,543.21')
    expect(formatNumber(null)).toBe('—')
    expect(formatNumber(Number.NaN)).toBe('—')
  })

  it('formats rates as percentages with one decimal', () => {
    expect(formatPercent(0.1234)).toBe('12.3%')
    expect(formatPercent(1)).toBe('100.0%')
    expect(formatPercent(0.0005)).toBe('0.1%')
    expect(formatPercent(undefined)).toBe('—')
  })

  it('shortens hashes', () => {
    const h = 'a'.repeat(8) + 'b'.repeat(50) + 'c'.repeat(6)
    expect(shortHash(h)).toBe('aaaaaaaa…cccccc')
    expect(shortHash('abc')).toBe('abc')
    expect(shortHash(null)).toBe('—')
  })

  it('pretty-prints JSON details', () => {
    expect(prettyJson({ a: 1 })).toBe('{\n  "a": 1\n}')
    expect(prettyJson(null)).toBe('—')
    expect(prettyJson('text')).toBe('text')
  })
})

describe('days', () => {
  it('turns a day into RFC 3339 bounds at +08:00', () => {
    expect(dayStart('2026-11-01')).toBe('2026-11-01T00:00:00+08:00')
    expect(dayEnd('2026-11-21')).toBe('2026-11-21T23:59:59+08:00')
    expect(() => dayStart('2026/11/01')).toThrow()
  })

  it('validates calendar days', () => {
    expect(isDay('2026-02-28')).toBe(true)
    expect(isDay('2026-02-30')).toBe(false)
    expect(isDay('2026-2-3')).toBe(false)
  })
})

describe('dateRange shortcuts', () => {
  // 2026-11-21 01:00 in Shanghai = 2026-11-20T17:00Z (a UTC clock would say the 20th)
  const now = new Date('2026-11-20T17:00:00Z')

  it('computes inclusive ranges on the Shanghai calendar', () => {
    expect(dateRange('today', now)).toEqual(['2026-11-21', '2026-11-21'])
    expect(dateRange('last7', now)).toEqual(['2026-11-15', '2026-11-21'])
    expect(dateRange('last30', now)).toEqual(['2026-10-23', '2026-11-21'])
    expect(dateRange('month', now)).toEqual(['2026-11-01', '2026-11-21'])
    expect(dateRange('quarter', now)).toEqual(['2026-10-01', '2026-11-21'])
    expect(dateRange('year', now)).toEqual(['2026-01-01', '2026-11-21'])
  })

  it('crosses month and year boundaries', () => {
    const jan3 = new Date('2027-01-03T04:00:00Z')
    expect(dateRange('last7', jan3)).toEqual(['2026-12-28', '2027-01-03'])
    expect(dateRange('quarter', jan3)).toEqual(['2027-01-01', '2027-01-03'])
  })

  it('gives the picker a local-midnight date of the same day', () => {
    const d = dayToPickerDate('2026-03-09')
    expect([d.getFullYear(), d.getMonth(), d.getDate(), d.getHours()]).toEqual([2026, 2, 9, 0])
  })
})

describe('auditQuery', () => {
  it('maps day filters to RFC 3339 bounds and drops empty filters', () => {
    expect(
      auditQuery({ from: '2026-11-01', to: '2026-11-21', actor: 'admin', action: '', result: 'failure', object_type: '' }),
    ).toEqual({
      from: '2026-11-01T00:00:00+08:00',
      to: '2026-11-21T23:59:59+08:00',
      actor: 'admin',
      result: 'failure',
    })
  })

  it('builds the export URL with the same filters', () => {
    expect(auditApi.exportUrl('xlsx', auditQuery({ from: '2026-11-01', to: '', actor: 'admin', result: '' }))).toBe(
      '/api/v1/audit/export?actor=admin&from=2026-11-01T00%3A00%3A00%2B08%3A00&format=xlsx',
    )
  })

  it('ignores malformed days from a hand-edited URL', () => {
    expect(auditQuery({ from: 'yesterday', to: '', actor: '' })).toEqual({})
  })
})

describe('safeRedirect', () => {
  it('only accepts in-app paths', () => {
    expect(safeRedirect('/system/users?q=1')).toBe('/system/users?q=1')
    expect(safeRedirect(['/audit'])).toBe('/audit')
    expect(safeRedirect('https://evil.example')).toBe('/')
    expect(safeRedirect('//evil.example')).toBe('/')
    expect(safeRedirect('/\\evil.example')).toBe('/')
    expect(safeRedirect('/login?redirect=/x')).toBe('/')
    expect(safeRedirect(undefined)).toBe('/')
  })
})

describe('formatDecimal', () => {
  it('keeps one decimal with thousands separators', () => {
    expect(formatDecimal(2)).toBe('2.0')
    expect(formatDecimal(2.345)).toBe('2.3')
    expect(formatDecimal(12345.67)).toBe('12,345.7')
    expect(formatDecimal(null)).toBe('—')
  })
})

describe('rangeQuery', () => {
  it('sends whole days as RFC 3339 instants, or as days when asked', () => {
    const f = { from: '2026-11-01', to: '2026-11-21', region: '110105', kind: '' }
    expect(rangeQuery(f)).toEqual({
      from: '2026-11-01T00:00:00+08:00',
      to: '2026-11-21T23:59:59+08:00',
      region: '110105',
    })
    expect(rangeQuery(f, { days: true })).toEqual({ from: '2026-11-01', to: '2026-11-21', region: '110105' })
    expect(rangeQuery({ from: '2026-02-30', to: '' })).toEqual({})
  })
})

describe('excerpt', () => {
  it('keeps short texts and cuts long ones at a character boundary with …', () => {
    expect(excerpt('营业执照怎么办')).toBe('营业执照怎么办')
    expect(excerpt(null)).toBe('')
    const long = '请问'.repeat(30000)
    expect(excerpt(long)).toBe('请问'.repeat(100) + '…')
    expect(excerpt('😀'.repeat(5), 3)).toBe('😀😀😀…')
  })
})
