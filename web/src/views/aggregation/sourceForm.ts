// Collection rules (汇聚规则) as business users edit them: rows of
// 来源字段 → 标准字段 and per-field rows of 来源值 → 标准值, converted to and
// from the API's `field_map` / `dictionaries` objects. Nobody types JSON.
import type { ImportKind, Source } from '@/api/models'

export interface FieldDef {
  field: string
  label: string
}

/**
 * Standard (our) record fields per data kind: the fields the server's intake
 * validation knows (crates/core aggregation::records — a record with any other
 * field is refused as field.unknown), GB/T 39046—2020 names as labels.
 */
export const RECORD_FIELDS: Record<ImportKind, FieldDef[]> = {
  consultations: [
    { field: 'code', label: '咨询编码' },
    { field: 'channel', label: '咨询渠道' },
    { field: 'region_code', label: '行政区划' },
    { field: 'asked_at', label: '咨询时间' },
    { field: 'applicant_type', label: '申请人类型' },
    { field: 'applicant_id', label: '申请人证件号码' },
    { field: 'item_code', label: '实施编码' },
    { field: 'question', label: '咨询内容' },
    { field: 'answer', label: '答复内容' },
  ],
  cases: [
    { field: 'case_code', label: '办件编号' },
    { field: 'item_code', label: '实施编码' },
    { field: 'applicant_type', label: '申请人类型' },
    { field: 'applicant_id', label: '申请人证件号码' },
    { field: 'applicant_name', label: '申请人名称' },
    { field: 'region_code', label: '行政区划' },
    { field: 'department_code', label: '受理单位代码' },
    { field: 'channel', label: '申报渠道' },
    { field: 'submitted_at', label: '申请时间' },
    { field: 'handling_mode', label: '办理形式代码' },
    { field: 'remark', label: '备注' },
  ],
  'case-events': [
    { field: 'case_code', label: '办件编号' },
    { field: 'seq', label: '环节序号' },
    { field: 'kind', label: '环节' },
    { field: 'at', label: '环节时间' },
    { field: 'special_kind', label: '特别程序种类代码' },
    { field: 'operator', label: '环节处理人' },
    { field: 'note', label: '处理意见' },
  ],
  evaluations: [
    { field: 'evaluation_id', label: '评价编号' },
    { field: 'case_code', label: '办件编号' },
    { field: 'channel', label: '评价渠道' },
    { field: 'rated_at', label: '评价时间' },
    { field: 'satisfaction', label: '满意度代码' },
    { field: 'comment', label: '评价内容' },
    { field: 'region_code', label: '行政区划' },
  ],
  items: [
    { field: 'item_code', label: '实施编码' },
    { field: 'basic_code', label: '基本编码' },
    { field: 'name', label: '事项名称' },
    { field: 'item_type_code', label: '事项类型代码' },
    { field: 'exercise_level', label: '行使层级代码' },
    { field: 'department_code', label: '实施主体代码' },
    { field: 'department_name', label: '实施主体' },
    { field: 'region_code', label: '行政区划' },
    { field: 'legal_limit', label: '法定办结时限' },
    { field: 'promised_limit', label: '承诺办结时限' },
    { field: 'limit_unit', label: '时限单位' },
    { field: 'case_type_code', label: '办件类型代码' },
    { field: 'handling_modes', label: '办理形式代码' },
    { field: 'materials', label: '申请材料' },
    { field: 'elements', label: '办理要素' },
    { field: 'valid_from', label: '生效日期' },
    { field: 'main_item', label: '主项名称' },
    { field: 'link', label: '办事指南链接' },
  ],
}

export const SOURCE_KINDS: ImportKind[] = ['consultations', 'cases', 'case-events', 'evaluations', 'items']

/** The standard fields of the chosen kinds, each once, in kind order. */
export function standardFields(kinds: readonly ImportKind[]): FieldDef[] {
  const seen = new Map<string, FieldDef>()
  for (const k of SOURCE_KINDS) {
    if (!kinds.includes(k)) continue
    for (const f of RECORD_FIELDS[k]) if (!seen.has(f.field)) seen.set(f.field, f)
  }
  return [...seen.values()]
}

/** `申请人证件号码（applicant_id）`; the bare name for fields no kind knows. */
export function fieldLabel(field: string): string {
  for (const k of SOURCE_KINDS) {
    const f = RECORD_FIELDS[k].find((d) => d.field === field)
    if (f) return `${f.label}（${field}）`
  }
  return field
}

export interface MappingRow {
  from: string
  to: string
}

export interface DictionaryBlock {
  field: string
  rows: MappingRow[]
}

export interface SourceFormState {
  code: string
  name: string
  kinds: ImportKind[]
  fieldRows: MappingRow[]
  required: string[]
  dictionaries: DictionaryBlock[]
  enabled: boolean
}

export const mapToRows = (map: Record<string, string> | null | undefined): MappingRow[] =>
  Object.entries(map ?? {}).map(([from, to]) => ({ from, to: String(to) }))

/**
 * Rows → `{from: to}`. Blank rows are dropped, values trimmed; a half-filled
 * row or a repeated `from` is an error (and so is a repeated `to` when
 * `uniqueTargets`: two source fields feeding one standard field).
 */
export function rowsToMap(
  rows: MappingRow[],
  opts: { what: string; fromName: string; toName: string; uniqueTargets?: boolean },
): { map: Record<string, string>; errors: string[] } {
  const map: Record<string, string> = {}
  const errors: string[] = []
  const targets = new Map<string, string>()
  rows.forEach((r, i) => {
    const from = r.from.trim()
    const to = r.to.trim()
    if (!from && !to) return
    const where = `${opts.what}第 ${i + 1} 行`
    if (!from) errors.push(`${where}：请填写${opts.fromName}`)
    else if (!to) errors.push(`${where}：请选择或填写${opts.toName}`)
    else if (Object.prototype.hasOwnProperty.call(map, from)) errors.push(`${where}：${opts.fromName}“${from}”重复`)
    else if (opts.uniqueTargets && targets.has(to))
      errors.push(`${where}：${opts.toName}“${to}”已由“${targets.get(to)}”映射`)
    else {
      map[from] = to
      targets.set(to, from)
    }
  })
  return { map, errors }
}

export function sourceToForm(s: Source | null): SourceFormState {
  return {
    code: s?.code ?? '',
    name: s?.name ?? '',
    kinds: [...(s?.kinds ?? [])],
    fieldRows: mapToRows(s?.field_map),
    required: [...(s?.required ?? [])],
    dictionaries: Object.entries(s?.dictionaries ?? {}).map(([field, m]) => ({ field, rows: mapToRows(m) })),
    enabled: s?.enabled ?? true,
  }
}

/** The form as the API's Source, or the reasons it cannot be saved (in Chinese). */
export function formToSource(f: SourceFormState): { source: Source; errors: string[] } {
  const errors: string[] = []
  const fieldMap = rowsToMap(f.fieldRows, {
    what: '字段映射',
    fromName: '来源字段',
    toName: '标准字段',
    uniqueTargets: true,
  })
  errors.push(...fieldMap.errors)
  const dictionaries: Record<string, Record<string, string>> = {}
  f.dictionaries.forEach((d, i) => {
    const field = d.field.trim()
    const what = field ? `代码字典“${field}”` : `第 ${i + 1} 个代码字典`
    const dict = rowsToMap(d.rows, { what, fromName: '来源值', toName: '标准值' })
    errors.push(...dict.errors)
    const empty = Object.keys(dict.map).length === 0
    if (!field) {
      if (!empty) errors.push(`${what}：请选择标准字段`)
      return
    }
    if (dictionaries[field]) errors.push(`代码字典“${field}”重复，请合并为一个`)
    else if (!empty) dictionaries[field] = dict.map
  })
  return {
    source: {
      code: f.code.trim(),
      name: f.name.trim(),
      kinds: [...f.kinds],
      field_map: fieldMap.map,
      required: [...new Set(f.required)],
      dictionaries,
      enabled: f.enabled,
    },
    errors,
  }
}
