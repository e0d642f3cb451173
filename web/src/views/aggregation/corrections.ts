// Corrections from sources: how a superseded record's content reads on the
// case detail page (field names in Chinese, times formatted, empty fields left out).
import { formatDateTime } from '@/utils/format'

const FIELD_NAMES: Record<string, string> = {
  kind: '环节',
  at: '发生时间',
  special_kind: '特别程序',
  operator: '办理人',
  note: '说明',
  region_code: '区划',
  department_code: '实施部门',
  item_code: '事项编码',
  item_version: '事项版本',
  applicant_type: '申请人类型',
  applicant_masked: '证件号码',
  applicant_name: '申请人',
  channel: '渠道',
  submitted_at: '申请时间',
  handling_mode: '办理形式',
  remark: '备注',
  asked_at: '咨询时间',
  question: '咨询内容',
  answer: '答复',
  case_code: '办件编号',
  rated_at: '评价时间',
  satisfaction: '满意度',
  comment: '评价内容',
}

const TIME_FIELDS = new Set(['at', 'submitted_at', 'asked_at', 'rated_at'])

export interface HistoryField {
  name: string
  value: string
}

/** The superseded fields that hold a value, named for the page. */
export function historyFields(content: Record<string, unknown>): HistoryField[] {
  return Object.entries(content)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([key, v]) => ({
      name: FIELD_NAMES[key] ?? key,
      value: TIME_FIELDS.has(key) ? formatDateTime(String(v), { seconds: true }) : String(v),
    }))
}
