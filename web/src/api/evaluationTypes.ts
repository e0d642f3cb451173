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

/** One stored version of a scheme or an indicator warning rule: the whole definition as saved. */
export interface DefinitionVersion<D> {
  version: number
  name: string
  definition: D
  created_at: string
  created_by: string
}

export interface SchemeDetail extends Scheme {
  versions: DefinitionVersion<Record<string, unknown>>[]
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

/** Indicator warnings (IND-2). */
export type AlertMeasure = 'value' | 'yoy' | 'pop'
export type AlertOp = 'gt' | 'ge' | 'lt' | 'le'
export type AlertLevelKey = 'red' | 'orange' | 'yellow' | 'blue'

export interface AlertCondition {
  measure: AlertMeasure
  op: AlertOp
  threshold: number
}

export interface AlertLevel {
  level: AlertLevelKey
  name: string
  colour: string
  combine: 'all' | 'any'
  conditions: AlertCondition[]
}

export interface AlertRuleInput {
  code?: string
  name: string
  indicator: string
  unit_level: UnitLevel
  period: 'month' | 'quarter' | 'year'
  schedule: string
  state: 'enabled' | 'disabled'
  levels: AlertLevel[]
  description: string
  version?: number
}

export interface AlertRule extends AlertRuleInput {
  code: string
  version: number
  next_run_at: string | null
  last_run_at: string | null
  last_period: string | null
  updated_at: string
  updated_by: string
}

/** GET /indicator-alerts/{code}: the rule with every version, newest first. */
export interface AlertRuleDetail extends AlertRule {
  versions: DefinitionVersion<Required<Omit<AlertRuleInput, 'version'>>>[]
}

export interface AlertHit {
  unit_code: string
  unit_name: string
  value: number | null
  yoy: number | null
  pop: number | null
  level: AlertLevelKey
  level_name: string
  colour: string
}

export interface AlertRun {
  period: string
  raised: number
  closed: number
  hits: AlertHit[]
}

export interface ImportCounts {
  created: number
  updated: number
  unchanged: number
}

/** The answer of an indicator workbook import (IND-3). */
export interface WorkbookImport {
  indicators: ImportCounts
  rules: ImportCounts
}

/** One period of a unit's indicator trend (EVAL-1 drill-down). */
export interface IndicatorTrendPoint {
  period: string
  value: number | null
  numerator: number
  denominator: number | null
  best: number | null
  average: number | null
}

export interface IndicatorTrend {
  code: string
  name: string
  unit: string
  unit_code: string
  unit_name: string
  points: IndicatorTrendPoint[]
}
