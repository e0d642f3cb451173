// Work orders (docs/api-workorders.md).

export interface WorkOrder {
  code: string
  type: string
  type_name: string
  state: string
  state_name: string
  title: string
  subject_kind: string
  subject_ref: string
  unit_code: string
  unit_name: string | null
  region_code: string
  class_code: string | null
  due_at: string | null
  overdue: boolean
  created_by: string
  created_at: string
  updated_at: string
  closed_at: string | null
}

export interface WorkOrderAttachment {
  id: number
  name: string
  size: number
  sha256: string
  content_type: string
  uploaded_by: string
  uploaded_at: string
}

export interface TimelineEntry {
  at: string
  actor: string
  actor_name: string
  unit: string | null
  action: string
  action_name: string
  from: string | null
  to: string
  comment: string | null
  fields: Record<string, unknown>
  attachments: WorkOrderAttachment[]
}

export interface WorkOrderAction {
  action: string
  name: string
  to: string
  /** `comment` or names of fields the action needs. */
  required: string[]
}

export interface WorkOrderDetail extends WorkOrder {
  version: number
  data: Record<string, unknown>
  timeline: TimelineEntry[]
  actions: WorkOrderAction[]
  attachments: WorkOrderAttachment[]
}

export interface OrderState {
  key: string
  name: string
  sla_days: number | null
  paused: boolean
  terminal: boolean
}

export interface OrderType {
  type: string
  name: string
  initial: string
  states: OrderState[]
  transitions: { action: string; name: string; from: string[]; to: string }[]
}

export interface ActionRequest {
  action: string
  comment?: string
  fields?: Record<string, unknown>
  attachments?: number[]
  version?: number
}

export interface ItemChange {
  path: string
  op: 'added' | 'removed' | 'changed'
  before: unknown
  after: unknown
}

export interface ItemDiff {
  item_code: string
  from: number
  to: number
  changes: ItemChange[]
}

export interface ComplaintClass {
  code: string
  name: string
  parent_code: string | null
  level: number
}

export interface WorkOrderStat {
  /** Class, unit or district code ('' for orders without a class). */
  key: string
  name: string | null
  total: number
  open: number
  overdue: number
}
