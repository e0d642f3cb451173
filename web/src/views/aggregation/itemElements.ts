// The 办理要素 (elements) of an item, an open JSON object, as rows for the
// detail page: Chinese labels where the key is a known GB/T 39046 element,
// scalars and lists of scalars as text, nested values as pretty JSON.
import { prettyJson } from '@/utils/format'

const ELEMENT_LABELS: Record<string, string> = {
  legal_basis: '设定依据',
  accept_conditions: '受理条件',
  acceptance_conditions: '受理条件',
  process: '办理流程',
  procedure: '办理流程',
  service_objects: '服务对象',
  service_object: '服务对象',
  handling_place: '办理地点',
  handling_time: '办理时间',
  fee: '是否收费',
  charge: '是否收费',
  fee_basis: '收费依据',
  result_name: '结果名称',
  intermediary_services: '中介服务',
  quantity_limit: '数量限制',
  consult_phone: '咨询电话',
  supervise_phone: '监督电话',
  online_url: '网办地址',
  special_procedures: '特别程序',
  joint_departments: '共同实施部门',
  implementing_body_type: '实施主体性质',
  exercise_content: '行使内容',
  main_item: '主项名称',
  link: '办事指南链接',
}

export interface ElementRow {
  key: string
  label: string
  text: string
  /** Rendered as a preformatted JSON block. */
  json: boolean
}

const isScalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v)

function scalarText(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—'
  if (typeof v === 'boolean') return v ? '是' : '否'
  return String(v)
}

export function elementRows(elements: Record<string, unknown> | null | undefined): ElementRow[] {
  if (!elements || typeof elements !== 'object') return []
  return Object.entries(elements).map(([key, v]) => {
    const label = ELEMENT_LABELS[key] ?? key
    if (isScalar(v)) return { key, label, text: scalarText(v), json: false }
    if (Array.isArray(v) && v.every(isScalar)) return { key, label, text: v.map(scalarText).join('、') || '—', json: false }
    return { key, label, text: prettyJson(v), json: true }
  })
}
