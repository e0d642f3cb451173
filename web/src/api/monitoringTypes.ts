// Shapes of the monitoring and early-warning API (docs/api-monitoring.md),
// re-exported by types.ts. Keep in sync with the server.
import type { LimitUnit, Page } from './types'


/** Business stage a warning rule watches. */
export type Stage = 'consultation' | 'acceptance' | 'approval' | 'special_procedure' | 'immediate'
/** Free category of a rule, shown in lists. */
export type RuleType = 'overdue' | 'count' | 'custom'
export type ConditionOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'in' | 'not_in' | 'within'
export type ConditionScalar = string | number | boolean
export type ConditionValue = ConditionScalar | ConditionScalar[] | null

export interface ConditionLeaf {
  field: string
  op: ConditionOp
  value: ConditionValue
  /** Windowed count fields: same applicant, same item, within this many days. */
  window_days?: number
}

/** A condition node: `{all: […]}`, `{any: […]}`, `{not: node}` or a leaf. */
export type ConditionNode =
  | { all: ConditionNode[] }
  | { any: ConditionNode[] }
  | { not: ConditionNode }
  | ConditionLeaf

export type FieldKind = 'number' | 'bool' | 'enum' | 'text' | 'region'

/** GET /warning-rules/fields: what the visual condition editor offers. */
export interface RuleField {
  key: string
  label: string
  kind: FieldKind
  ops: ConditionOp[]
  options?: { value: string | number; label: string }[]
  /** Takes `window_days`. */
  window: boolean
  stages: Stage[]
}

export interface RuleLevel {
  key: string
  name: string
  colour: string
  handling_hours: number
  template: string
  condition: ConditionNode
}

export interface RuleWebhook {
  url: string
  /** Write-only: GET shows `******` (null when none). */
  secret: string | null
}

/** What POST / PUT /warning-rules take. */
export interface WarningRuleInput {
  code: string
  name: string
  stage: Stage
  type: RuleType
  description: string
  enabled: boolean
  condition: ConditionNode
  /** Ascending severity: the last holding level wins. */
  levels: RuleLevel[]
  webhook: RuleWebhook | null
}

export interface WarningRule extends WarningRuleInput {
  builtin: boolean
  version: number
}

export interface RuleVersion {
  version: number
  created_at: string
  created_by: string | null
}

export interface WarningRuleDetail extends WarningRule {
  versions: RuleVersion[]
}

export interface WarningRuleSummary {
  code: string
  name: string
  stage: Stage
  type: RuleType
  description: string
  enabled: boolean
  builtin: boolean
  version: number
  levels: { key: string; name: string; colour: string }[]
  updated_at: string | null
  volume: number
  open: number
  false_positives: number
  /** 1 − false positives ÷ judged; null when none judged. */
  precision: number | null
}

export interface RulePreview {
  title: string
  body: string
}

export interface CountRow {
  code: string
  name: string
  count: number
}

export interface SimulationSample {
  case_code: string
  level: string
  item_name: string | null
  region_name: string | null
  at: string
}

export interface SimulationResult {
  cases: number
  /** Stopped at the server's case limit. */
  truncated?: boolean
  /** Server time spent. */
  elapsed_ms?: number
  by_level: Record<string, number>
  by_district: CountRow[]
  by_department: CountRow[]
  by_item: CountRow[]
  sample: SimulationSample[]
  /** The live version over the same cases (absent for a new code). */
  live?: { by_level: Record<string, number> } | null
  /** Always present; all zero without a live version. */
  diff?: { added: number; removed: number; changed_level: number } | null
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed'

export interface RuleDelivery {
  id: number | string
  warning_id: number | string
  /** The address the warning was posted to (the rule's at the time). */
  url?: string
  status: DeliveryStatus
  attempts: number
  last_status: number | null
  last_error: string | null
  created_at: string
  delivered_at: string | null
}

export type WarningStatus = 'open' | 'acknowledged' | 'handled' | 'false_positive' | 'closed'
export type WarningAction = 'acknowledge' | 'handle' | 'false_positive'

export interface Warning {
  id: number | string
  case_code: string
  rule_code: string
  rule_name: string
  stage: Stage
  level: string
  level_name: string
  colour: string
  status: WarningStatus
  raised_at: string
  updated_at: string
  region_code: string
  region_name: string | null
  department_code: string
  department_name: string | null
  item_code: string
  item_name: string | null
  handle_deadline: string | null
  close_reason: string | null
  /** Handling note / false-positive reason, when given. */
  note?: string | null
}

export interface WarningHistoryEntry {
  at: string
  action: string
  level: string | null
  status: WarningStatus | null
  actor: string | null
  /** The actor's display name (null for the system and deleted users). */
  actor_name?: string | null
  note: string | null
}

export interface WarningDetail extends Warning {
  history: WarningHistoryEntry[]
}

export interface BulkAnswer {
  done: number
  skipped: number
}

export interface Message {
  id: number | string
  warning_id: number | string
  case_code: string
  rule_code: string
  level: string
  colour: string
  title: string
  body: string
  created_at: string
  read_at: string | null
}

export interface MessagePage extends Page<Message> {
  unread: number
}

export interface MessageSummary {
  unread: number
  /** At most 5 newest unread red messages (the pop-up). */
  red_unread: { id: number | string; title: string; body: string; created_at: string; warning_id?: number | string }[]
}

/** A subscription; null = any. */
export interface Subscription {
  id?: number | string | null
  rule_code: string | null
  region_code: string | null
  level: string | null
}

export type CalendarSource = 'bundled' | 'edited' | 'imported'

export interface CalendarYearSummary {
  year: number
  source: CalendarSource
  holidays: number
  workdays: number
  updated_at: string | null
}

/** An exception to Mon–Fri: `is_off_day` true = holiday, false = adjusted working weekend (调休). */
export interface CalendarDay {
  date: string
  name: string
  is_off_day: boolean
}

export interface CalendarYear {
  year: number
  source: CalendarSource
  days: CalendarDay[]
}

/** A holiday-cn year file (github.com/NateScarlet/holiday-cn). */
export interface HolidayCnFile {
  year: number
  days: { name: string; date: string; isOffDay: boolean }[]
}

export interface DeadlineAnswer {
  deadline: string
  working_days: string[]
}

export type ClockStatus = 'running' | 'suspended' | 'completed' | 'completed_late' | 'overdue'

/** A stage clock of a case (GET /cases/{code} `clocks`). */
export interface StageClock {
  stage: Stage
  budget: number
  unit: LimitUnit
  started_at: string
  deadline: string
  used_share: number
  /** Budget minus elapsed, in the clock's unit (negative when overdue). */
  remaining: number
  /** Working days added by suspensions. */
  suspended_days: number
  status: ClockStatus
  ended_at?: string | null
  suspensions?: { start: string; end: string | null }[]
}
