// File import (POST /import/{kind}) and the intake answer, shown to operators.
import type { IntakeAnswer } from '@/api/models'
import { formatNumber } from './format'
import { REJECT_CODE, type TagType } from './labels'

export const CSV_TYPE = 'text/csv'
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
/** `accept` attribute of the file input. */
export const IMPORT_ACCEPT = `.csv,.xlsx,${CSV_TYPE},${XLSX_TYPE}`
/** The server's batch limit (docs/api-aggregation.md). */
export const IMPORT_MAX_BYTES = 64 * 1024 * 1024

/**
 * Content type to send for an import file, from its name: browsers report
 * CSV files inconsistently (`application/vnd.ms-excel` on Windows, empty
 * elsewhere), so the extension decides. null = not a supported file.
 */
export function importContentType(fileName: string): string | null {
  const ext = /\.([^.]+)$/.exec(fileName.trim())?.[1]?.toLowerCase()
  if (ext === 'csv') return CSV_TYPE
  if (ext === 'xlsx') return XLSX_TYPE
  return null
}

export interface IntakeSummary {
  received: number
  accepted: number
  /** Superseded a stored record (a higher revision). */
  corrected: number
  duplicates: number
  rejected: number
  /** One line for ElMessage / the result header. */
  text: string
  /** success: all accepted or duplicate; warning: some rejected; error: nothing accepted. */
  type: Extract<TagType, 'success' | 'warning' | 'danger'>
  /** Rejections counted by code, most frequent first. */
  byCode: { code: string; label: string; count: number }[]
}

export function summarizeIntake(answer: IntakeAnswer): IntakeSummary {
  const rejected = answer.rejected.length
  const corrected = answer.corrected ?? 0
  const received = answer.accepted + corrected + answer.duplicates + rejected
  const counts = new Map<string, number>()
  for (const r of answer.rejected) counts.set(r.code, (counts.get(r.code) ?? 0) + 1)
  const byCode = [...counts.entries()]
    .map(([code, count]) => ({ code, label: REJECT_CODE[code] ?? code, count }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code))
  const n = formatNumber
  const correctedText = corrected ? `，更正 ${n(corrected)} 条` : ''
  let text = `共 ${n(received)} 条：接受 ${n(answer.accepted)} 条${correctedText}，重复 ${n(answer.duplicates)} 条，拒绝 ${n(rejected)} 条`
  if (received === 0) text = '文件中没有数据记录'
  const type = rejected === 0 && received > 0 ? 'success' : answer.accepted + corrected + answer.duplicates > 0 ? 'warning' : 'danger'
  return { received, accepted: answer.accepted, corrected, duplicates: answer.duplicates, rejected, text, type, byCode }
}

/** A CSV cell: quoted when needed; a leading = + - @ is neutralised (no formula injection). */
export function csvCell(value: string | number): string {
  let s = String(value)
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** The rejected lines as a CSV file (UTF-8 with BOM so Excel shows Chinese). */
export function rejectionsCsv(answer: IntakeAnswer): string {
  const rows = [['行号', '错误代码', '错误说明', '错误信息']]
  for (const r of answer.rejected) rows.push([String(r.line), r.code, REJECT_CODE[r.code] ?? '', r.message])
  return '\uFEFF' + rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n'
}
