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
