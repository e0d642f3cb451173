// Shapes of the dashboard API (docs/api-dashboard.md, DASH-1..5). Keep in
// sync with the server.
import type { Stage } from './monitoringTypes'

export type Granularity = 'day' | 'month'
export type HotwordMethod = 'tfidf' | 'frequency'
export type DashboardExportFormat = 'xlsx' | 'csv'
export type DashboardTable =
  | 'by_region'
  | 'by_department'
  | 'items'
  | 'trend'
  | 'hotwords'
  | 'warnings_by_stage'
  | 'warnings_by_level'
  | 'warnings_by_item'
  | 'satisfaction_by_district'
  | 'satisfaction_by_department'
  | 'satisfaction_trend'

export interface CaseTotals {
  total: number
  accepted: number
  completed: number
  on_time: number
  overdue: number
  /** on_time ÷ completed, 0..1 (0 when nothing completed). */
  on_time_rate: number
}

export interface StageWarnings {
  total: number
  red: number
  yellow: number
  /** The caller's unread inbox messages about these warnings. */
  unread: number
}

export interface WarningTotals {
  total: number
  /** Always all five stages. */
  by_stage: Record<Stage, StageWarnings>
  by_level: { red: number; yellow: number }
  unread: number
}

export interface RegionRow {
  region_code: string
  name: string
  cases: number
  completed: number
  on_time: number
  overdue: number
  consultations: number
  warnings: number
  red: number
}

export interface DepartmentRow {
  department_code: string
  name: string
  cases: number
  completed: number
  on_time: number
  overdue: number
  on_time_rate: number
  warnings: number
}

export interface ItemRow {
  item_code: string
  name: string
  department_name: string
  cases: number
  consultations: number
  warnings: number
  /** Red warnings (served, not in the documented contract). */
  red?: number
  overdue: number
}

export interface Funnel {
  consultations: number
  applications: number
  accepted: number
  completed: number
  on_time: number
}

export interface TrendPoint {
  /** `YYYY-MM-DD` (granularity day) or `YYYY-MM` (month). */
  date: string
  cases: number
  completed: number
  on_time: number
  overdue: number
  consultations: number
  warnings: number
}

export interface DashboardOverview {
  from: string
  to: string
  granularity: Granularity
  cases: CaseTotals
  consultations: { total: number }
  warnings: WarningTotals
  by_region: RegionRow[]
  by_department: DepartmentRow[]
  top_items: ItemRow[]
  funnel: Funnel
  trend: TrendPoint[]
}

export interface Hotword {
  word: string
  /** Normalised: the first word has 1.0. */
  weight: number
  count: number
}

/** Evaluations (好差评) of one district or department (GET /dashboard/satisfaction). */
export interface SatisfactionGroup {
  code: string
  name: string
  total: number
  /** Rated 不满意 or 非常不满意. */
  bad: number
  satisfaction_rate: number
  bad_rate: number
}

export interface SatisfactionPoint {
  /** `YYYY-MM-DD`, or `YYYY-MM` for periods over 92 days. */
  date: string
  total: number
  bad: number
  bad_rate: number
}

export interface SatisfactionFigures {
  from: string
  to: string
  total: number
  bad: number
  satisfaction_rate: number
  bad_rate: number
  by_district: SatisfactionGroup[]
  /** Most 差评 first. */
  by_department: SatisfactionGroup[]
  trend: SatisfactionPoint[]
}
