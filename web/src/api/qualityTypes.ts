// Case data quality (docs/api-quality.md).

export type QualitySeverity = 'error' | 'warning'

/** GET /quality/checks: one check of the library. */
export interface QualityCheck {
  /** `category.name` */
  code: string
  category: 'general' | 'item' | 'process'
  name: string
  severity: QualitySeverity
  enabled: boolean
}

export type QualityRunState = 'queued' | 'running' | 'done' | 'failed'

export interface QualityRun {
  id: number
  state: QualityRunState
  from: string
  to: string
  region: string | null
  cases_checked: number
  /** Failing cases per code (final once done). */
  failures: { code: string; count: number }[]
  /** Per district and code. */
  by_region: { region_code: string; region_name: string | null; code: string; count: number }[]
  error: string | null
  created_at: string
  finished_at: string | null
}

/** GET /quality/runs/{id}/failures: a failing case and why. */
export interface QualityFailure {
  case_code: string
  code: string
  region_code: string
  department_code: string
  submitted_at: string
  reason: string
}

/** POST/GET /quality/oplog-checks: a sampled comparison of cases with their operation logs. */
export interface OplogCheck {
  id: number
  from: string
  to: string
  region: string | null
  sample_size: number
  cases_checked: number
  anomalous: number
  counts: { code: string; name: string; count: number }[]
  created_at: string
}

/** GET /quality/oplog-checks/{id}/anomalies: an anomalous case and why. */
export interface OplogAnomaly {
  case_code: string
  code: string
  region_code: string
  submitted_at: string
  reason: string
}

/** GET /cases/{code}/operation-logs: one logged operation. */
export interface Operation {
  source: string
  action: string
  /** Whether the action is a known step. */
  known: boolean
  operator: string
  at: string
  note: string | null
}

/** GET/POST /quality/schedules: runs started on a cron minute. */
export interface QualitySchedule {
  id: number
  cron: string
  days: number
  region: string | null
  last_run_at: string | null
  created_at: string
}

/** GET /quality/trend: one finished run. */
export interface QualityTrendPoint {
  run_id: number
  created_at: string
  from: string
  to: string
  cases_checked: number
  failures: number
  per_hundred: number
}

/** One entry of a code list. */
export interface CodeListEntry {
  code: string
  name: string
}

/** How a list's last refresh from its source URL went. */
export interface CodeListRefresh {
  at: string
  outcome: 'ok' | 'unchanged' | 'error'
  message: string | null
}

/** GET /quality/code-lists: a managed code list with the version in force. */
export interface CodeList {
  code: string
  name: string
  /** The version in force (0: built in). */
  version: number
  entries: CodeListEntry[]
  entry_count: number
  /** `builtin`, `file` or the URL it was refreshed from. */
  source: string
  updated_by: string | null
  updated_at: string | null
  history: number[]
  /** False: intake validates these codes itself; the list cannot be changed here. */
  editable: boolean
  source_url: string | null
  schedule: string | null
  last_refresh: CodeListRefresh | null
}

export interface CodeListVersion {
  version: number
  entries: CodeListEntry[]
  source: string
  created_by: string | null
  created_at: string | null
}

/** GET /quality/code-lists/{code}: the list with every version, newest first (version 0 last). */
export interface CodeListDetail extends CodeList {
  versions: CodeListVersion[]
}
