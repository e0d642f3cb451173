import { describe, expect, it } from 'vitest'
import { CSV_TYPE, XLSX_TYPE, csvCell, importContentType, rejectionsCsv, summarizeIntake } from './intake'

describe('importContentType', () => {
  it('decides by the extension, whatever the browser reported', () => {
    expect(importContentType('办件.csv')).toBe(CSV_TYPE)
    expect(importContentType('CASES.CSV')).toBe(CSV_TYPE)
    expect(importContentType('事项目录 2026.xlsx')).toBe(XLSX_TYPE)
    expect(importContentType('old.xls')).toBeNull()
    expect(importContentType('data.json')).toBeNull()
    expect(importContentType('noext')).toBeNull()
  })
})

describe('summarizeIntake', () => {
  it('counts accepted, duplicates and rejections by code', () => {
    const s = summarizeIntake({
      accepted: 1200,
      corrected: 0,
      duplicates: 3,
      rejected: [
        { line: 4, code: 'item.unknown', message: 'x' },
        { line: 9, code: 'applicant_id.check_character', message: 'y' },
        { line: 11, code: 'item.unknown', message: 'z' },
      ],
    })
    expect(s.received).toBe(1206)
    expect(s.rejected).toBe(3)
    expect(s.type).toBe('warning')
    expect(s.text).toBe('共 1,206 条：接受 1,200 条，重复 3 条，拒绝 3 条')
    expect(s.byCode).toEqual([
      { code: 'item.unknown', label: '事项不存在', count: 2 },
      { code: 'applicant_id.check_character', label: '证件号码校验位错误', count: 1 },
    ])
  })

  it('counts corrections from sources as received and names them', () => {
    const s = summarizeIntake({ accepted: 1, corrected: 2, duplicates: 0, rejected: [] })
    expect(s.received).toBe(3)
    expect(s.type).toBe('success')
    expect(s.text).toBe('共 3 条：接受 1 条，更正 2 条，重复 0 条，拒绝 0 条')
  })

  it('is a success when nothing was rejected (duplicates are fine: idempotent)', () => {
    expect(summarizeIntake({ accepted: 0, corrected: 0, duplicates: 5, rejected: [] }).type).toBe('success')
    expect(summarizeIntake({ accepted: 2, corrected: 0, duplicates: 0, rejected: [] }).byCode).toEqual([])
  })

  it('is an error when nothing was accepted, or the file was empty', () => {
    const bad = summarizeIntake({ accepted: 0, corrected: 0, duplicates: 0, rejected: [{ line: 1, code: 'new.code', message: 'm' }] })
    expect(bad.type).toBe('danger')
    expect(bad.byCode[0]!.label).toBe('new.code')
    const empty = summarizeIntake({ accepted: 0, corrected: 0, duplicates: 0, rejected: [] })
    expect(empty.type).toBe('danger')
    expect(empty.text).toBe('文件中没有数据记录')
  })
})

describe('rejections CSV', () => {
  it('quotes when needed and neutralises formulas', () => {
    expect(csvCell('plain')).toBe('plain')
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`)
    expect(csvCell('+1')).toBe("'+1")
    expect(csvCell(12)).toBe('12')
  })

  it('lists line, code, its meaning and the message, with a BOM', () => {
    const csv = rejectionsCsv({ accepted: 0, corrected: 0, duplicates: 0, rejected: [{ line: 3, code: 'time.future', message: '时间晚于当前' }] })
    expect(csv.startsWith('\uFEFF行号,错误代码,错误说明,错误信息\r\n')).toBe(true)
    expect(csv).toContain('3,time.future,时间晚于当前时间,时间晚于当前\r\n')
  })
})
