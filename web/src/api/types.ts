// Shapes of the govpulse HTTP API (docs/api.md, api-aggregation.md, api-monitoring.md). Keep in sync with the server.
import type { StageClock, Warning } from './monitoringTypes'

/**
 * One page of a list endpoint. Lists take `page` (1-based), `size`, `sort`
 * (`field` / `-field`) and `after` (the `next` cursor of the page before;
 * `page` is then ignored).
 */
export interface Page<T> {
  /** Rows matching; a lower bound when `total_exact` is false (the server stops counting at 10,000). */
  total: number
  total_exact: boolean
  items: T[]
  /** Cursor of the following page (send as `after`); null on the last page. */
  next: string | null
  /** The page stopped at the server's scan bound before it was full (a filter no index serves): follow `next`. */
  partial?: boolean
}

export type ScopeKind = 'city' | 'region' | 'department'

export interface Scope {
  kind: ScopeKind
  region_code: string | null
  department_code: string | null
}

export interface LoginAnswer {
  username: string
  must_change_password: boolean
  csrf_token: string
}

export interface Me {
  username: string
  display_name: string
  roles: string[]
  role_names: string[]
  permissions: string[]
  scope: Scope
  region_name: string | null
  department_name: string | null
  must_change_password: boolean
  totp_enabled: boolean
  csrf_token: string
}

export interface Region {
  code: string
  name: string
  level: 1 | 2 | 3 | 4
  parent_code: string | null
  /** Set when merged into another region (the code still resolves in old records). */
  merged_into?: string | null
}

export interface RegionChange {
  action: 'rename' | 'attributes' | 'merge'
  before: string
  after: string
  actor: string
  at: number
}

export interface RegionDetail extends Region {
  attributes: Record<string, string>
  /** What references the region: a region with any cannot be deleted. */
  references: string[]
  history: RegionChange[]
}

export type DepartmentLevel = 'city' | 'district'

export interface Department {
  code: string
  name: string
  level: DepartmentLevel
  region_code: string
  region_name: string
  user_count: number
}

export type UserStatus = 'active' | 'locked' | 'disabled'

export interface User {
  id: number | string
  username: string
  display_name: string
  roles: string[]
  scope: Scope
  region_name: string | null
  department_name: string | null
  status: UserStatus
  /** Set while the account is locked after failed logins. */
  locked_until?: string | null
  must_change_password: boolean
  totp_enabled: boolean
  last_login_at: string | null
  created_at: string
}

export interface UserCreate {
  username: string
  display_name: string
  password: string
  roles: string[]
  scope: Scope
}

export interface UserUpdate {
  display_name: string
  roles: string[]
  scope: Scope
  disabled: boolean
}

export type AdminDuty = 'system' | 'security' | 'audit'

export interface Role {
  code: string
  name: string
  description: string
  admin_duty: AdminDuty | null
  builtin: boolean
  permissions: string[]
  user_count: number
}

export interface Permission {
  code: string
  name: string
  module: string
  admin_duty: AdminDuty | null
}

export interface SecurityPolicy {
  password_min_length: number
  lockout_threshold: number
  lockout_minutes: number
  idle_timeout_minutes: number
  /** Where webhooks may go: host names, *.suffixes, addresses, networks. */
  webhook_allowlist: string[]
}

export interface ApiToken {
  id: number | string
  name: string
  scope: string
  created_at: string
  created_by: string
  last_used_at: string | null
  revoked_at: string | null
}

export interface ApiTokenCreated {
  id: number | string
  name: string
  scope: string
  token: string
}

export type AuditResult = 'success' | 'failure' | 'denied'

export interface AuditEntry {
  seq: number
  at: string
  actor: string
  ip: string | null
  action: string
  object_type: string | null
  object_id: string | null
  result: AuditResult
  details: unknown
  hash: string
}

export interface AuditVerify {
  ok: boolean
  checked: number
  first_broken: { seq: number; reason: string } | null
}

// ---- Data aggregation (docs/api-aggregation.md) ----

/** How a time limit is counted. */
export type LimitUnit = 'working' | 'natural'
/** GB/T 39046 A.6 办件类型代码 (1 即办件, 2 承诺件). */
export type CaseTypeCode = 1 | 2
export type ApplicantType = 'person' | 'org'
export type Channel = 'online' | 'window' | 'hotline' | 'wechat' | 'app' | 'other'
export type CaseStatus =
  | 'submitted'
  | 'accepted'
  | 'rejected'
  | 'in_progress'
  | 'suspended'
  | 'decided'
  | 'completed'
  | 'withdrawn'
export type CaseEventKind =
  | 'submitted'
  | 'accepted'
  | 'rejected'
  | 'supplement_start'
  | 'supplement_end'
  | 'special_start'
  | 'special_end'
  | 'decided'
  | 'completed'
  | 'delivered'
  | 'withdrawn'

/** Kinds of records received by intake (`POST /intake/{kind}`). */
export type IntakeKind = 'consultations' | 'cases' | 'case-events' | 'evaluations'
/** Kinds accepted by file import (`POST /import/{kind}`). */
export type ImportKind = IntakeKind | 'items'

/** The current version of a catalogue item. */
export interface Item {
  item_code: string
  basic_code: string
  name: string
  /** GB/T 39046 A.1 事项类型代码, e.g. "01" 行政许可. */
  item_type_code: string
  department_code: string
  department_name: string | null
  region_code: string
  region_name: string | null
  legal_limit: number | null
  promised_limit: number | null
  limit_unit: LimitUnit
  case_type_code: CaseTypeCode
  version: number
  /** Day (`YYYY-MM-DD`) or RFC 3339 instant. */
  valid_from: string
  valid_to: string | null
}

export interface ItemMaterial {
  name: string
  required: boolean
  copies: number | null
  form: string | null
}

export interface ItemVersion {
  version: number
  valid_from: string
  valid_to: string | null
  created_at: string
  name?: string
  legal_limit?: number | null
  promised_limit?: number | null
}

export interface ItemDetail extends Item {
  /** GB/T 39046 A.2 行使层级代码. */
  exercise_level: string | null
  /** GB/T 39046 A.5 办理形式代码. */
  handling_modes: string[]
  materials: ItemMaterial[] | null
  elements: Record<string, unknown> | null
  versions: ItemVersion[]
}

export interface IntakeRejection {
  /** 1-based line (record) number of the batch or file. */
  line: number
  code: string
  message: string
}

export interface IntakeAnswer {
  accepted: number
  /** Records that superseded a stored one (a higher `revision`, other content). */
  corrected: number
  duplicates: number
  rejected: IntakeRejection[]
}

export interface Consultation {
  code: string
  channel: Channel
  region_code: string
  region_name: string | null
  asked_at: string
  applicant_type: ApplicantType | null
  applicant_masked: string | null
  applicant_key: string | null
  item_code: string | null
  item_name: string | null
  question: string
  answer: string | null
  linked_case_code: string | null
  /** The source's revision of the stored content (0 unless numbered). */
  revision?: number
  /** Set when an operator marked the record erroneous: listed, but out of the figures. */
  erroneous_reason?: string | null
}

export interface Case {
  case_code: string
  item_code: string
  item_name: string | null
  item_version: number | null
  applicant_type: ApplicantType
  applicant_name: string | null
  applicant_masked: string
  applicant_key: string
  region_code: string
  region_name: string | null
  department_code: string
  department_name: string | null
  channel: Channel | null
  submitted_at: string
  status: CaseStatus
  accepted_at: string | null
  completed_at: string | null
  /** Number of consultations linked to the case. */
  consultations: number
  /** Some stage clock of the case ran past its deadline. */
  overdue: boolean
  /** GB/T 39046 A.5 办理形式代码. */
  handling_mode?: string | null
  remark?: string | null
  /** The source's revision of the stored content (0 unless numbered). */
  revision?: number
  /** Set when an operator marked the record erroneous: listed, but out of the figures. */
  erroneous_reason?: string | null
}

export interface CaseEvent {
  seq: number
  kind: CaseEventKind
  at: string
  special_kind: string | null
  operator: string | null
  note: string | null
  /** Received out of time order (accepted and flagged). */
  out_of_order: boolean
}

export interface Evaluation {
  evaluation_id: string
  case_code: string | null
  channel: Channel | null
  rated_at: string
  /** GB/T 39046 A.8 满意度代码: 1 非常满意 … 5 非常不满意. */
  satisfaction: number
  comment: string | null
  region_code: string
  region_name?: string | null
  /** The source's revision of the stored content (0 unless numbered). */
  revision?: number
  /** Set when an operator marked the record erroneous: listed, but out of the figures. */
  erroneous_reason?: string | null
}

/** A record kind a source may correct (docs/api-aggregation.md, "Corrections"). */
export type RecordKind = 'cases' | 'case-events' | 'consultations' | 'evaluations'

/** Content of a record superseded by a correction from its source. */
export interface RecordHistoryEntry {
  kind: RecordKind
  /** The record's key (a case event: `<case_code>#<seq>`). */
  record_key: string
  revision: number
  /** The superseded fields. */
  content: Record<string, unknown>
  source: string
  received_at: string
  superseded_at: string
  superseded_by: number
}

/** GET /cases/{code}: the case with its events, consultations and evaluations. */
export type CaseDetail = Omit<Case, 'consultations' | 'overdue'> & {
  overdue?: boolean
  events: CaseEvent[]
  consultations: Consultation[]
  evaluations: Evaluation[]
  /** Stage clocks now (docs/api-monitoring.md). */
  clocks?: StageClock[]
  /** The case's warnings (as in GET /warnings). */
  warnings?: Warning[]
  /** Content superseded by corrections from sources, oldest first. */
  history?: RecordHistoryEntry[]
}

export interface ApplicantTimelineEntry {
  kind: 'consultation' | 'case'
  code: string
  at: string
  item_code: string | null
  item_name: string | null
  /** A case: its status; a consultation: the code of the case it is linked to. */
  status: string | null
}

export interface ApplicantTimeline {
  applicant_masked: string | null
  items: ApplicantTimelineEntry[]
}

export type LinkingGroup = 'region' | 'department' | 'item'

export interface LinkingRow {
  key: string
  name: string | null
  consultations: number
  consulted_not_applied: number
  applications: number
  applied_without_consulting: number
  consultations_per_application: number | null
}

/** Collection rules of one source system (汇聚标准). */
export interface Source {
  code: string
  name: string
  kinds: ImportKind[]
  /** their field → our field */
  field_map: Record<string, string>
  /** our fields that must be present */
  required: string[]
  /** our field → (their value → our value) */
  dictionaries: Record<string, Record<string, string>>
  enabled: boolean
  /** Set by the server (never sent). */
  updated_at?: string | null
}

export interface ReconciliationRow {
  /** `YYYY-MM-DD` (Asia/Shanghai). */
  day: string
  source: string
  kind: ImportKind
  received: number
  accepted: number
  /** Records that superseded a stored one (a higher revision). */
  corrected: number
  duplicates: number
  rejected: number
  rejected_by_code: Record<string, number>
  /** What the source's manifest declared it sent that day (null: no manifest). */
  declared?: number | null
  /** Declared but never received (a batch lost on the way); null without a manifest. */
  missing?: number | null
}

/** GET /sources/health: one feed (source × kind) of a configured source. */
export interface FeedHealth {
  source: string
  kind: ImportKind
  last_record_at: string | null
  /** Received today so far. */
  today: number
  /** Same-weekday median of the previous 4 weeks (null: no history yet). */
  usual: number | null
  state: 'ok' | 'late' | 'silent'
}

// Monitoring and early warning (docs/api-monitoring.md) live in their own file.
export type * from './monitoringTypes'
// Case data quality (docs/api-quality.md).
export type * from './qualityTypes'
