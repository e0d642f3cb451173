// Quality and efficiency evaluation (docs/api-evaluation.md).

export type Direction = 'higher' | 'lower'
export type IndicatorState = 'draft' | 'enabled' | 'disabled'
export type UnitLevel = 'district' | 'city_department' | 'district_department'

export interface Calculation {
  kind: 'group' | 'ratio'
  numerator?: string
  denominator?: string | null
  scale?: number
}

export interface Indicator {
  code: string
  name: string
  level: 1 | 2 | 3
  parent_code: string | null
  state: IndicatorState
  direction: Direction
  unit: string
  description: string
  data_source: string
  calculation: Calculation
  version: number
  builtin: boolean
  updated_at: string
  updated_by: string
}

export interface IndicatorVersion {
  version: number
  definition: Omit<Indicator, 'version' | 'builtin' | 'updated_at' | 'updated_by'>
  created_at: string
  created_by: string
}

export interface IndicatorDetail extends Indicator {
  versions: IndicatorVersion[]
}

export interface IndicatorInput {
  code?: string
  name: string
  level: number
  parent_code: string | null
  state: IndicatorState
  direction: Direction
  unit: string
  description: string
  data_source: string
  calculation: Calculation
  version?: number
}

export interface IndicatorValue {
  unit_code: string
  unit_name: string
  value: number | null
  numerator: number
  denominator: number | null
}

export interface Scheme {
  code: string
  name: string
  unit_level: UnitLevel
  version: number
  definition: Record<string, unknown>
  updated_at: string
  updated_by: string
}

export interface SchemeDetail extends Scheme {
  versions: { version: number; name: string; definition: Record<string, unknown>; created_at: string; created_by: string }[]
}

export interface Run {
  run_id: number
  scheme: string
  scheme_version: number
  period: string
  unit_level: UnitLevel
  mode: 'test' | 'official'
  created_at: string
  created_by: string
  archive_id: number | null
}

export interface IndicatorScore {
  code: string
  name: string
  level: 1 | 2 | 3
  value: number | null
  score: number
  rank: number | null
}

export interface UnitResult {
  unit_code: string
  unit_name: string
  score: number
  rank: number
  indicators: IndicatorScore[]
}

export interface TraceStep {
  step: string
  detail: string
  values: Record<string, unknown>
  result: number | null
}

export interface Trace {
  run_id: number
  unit_code: string
  unit_name: string
  score: number
  rank: number
  /** 1, plus one per accepted appeal applied. */
  result_version: number
  steps: TraceStep[]
}

export interface Problem {
  indicator: string
  case_code: string
  item_code: string
  status: string
  submitted_at: string
  completed_at: string | null
}

export interface CompareRow {
  unit_code: string
  unit_name: string
  a: { score: number; rank: number } | null
  b: { score: number; rank: number } | null
  score_change: number | null
  rank_change: number | null
  changed: { code: string; name: string; a: number | null; b: number | null }[]
}

export interface Published {
  archive_id: number
  sha256: string
}

export interface Archive {
  archive_id: number
  run_id: number
  period: string
  scheme: string
  archived_at: string
  archived_by: string
  data_version: string
  sha256: string
  intact: boolean
}

export interface AppealInput {
  run_id: number
  unit_code: string
  indicator: string
  numerator: number
  denominator: number | null
  reason: string
}

export interface NoticeInput {
  unit_level: UnitLevel
  /** Empty: every unit of the level. */
  units: string[]
  title: string
  content: string
  instructions: string
  contact: string
  run_id: number | null
}
