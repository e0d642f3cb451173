// Situational guidance, tolerance acceptance and credit check (docs/api-guidance.md).

export type TreeKind = 'item' | 'theme'
export type TreeStatus = 'draft' | 'published' | 'changed'

export interface GuidanceItem {
  code: string
  name: string
  department?: string | null
  promised_days: number
}

export interface GuidanceMaterial {
  code: string
  name: string
  copies: number
  original: boolean
  required: boolean
  item_code?: string | null
  tolerable: boolean
}

export interface MaterialUse {
  code: string
  copies?: number | null
  original?: boolean | null
  required?: boolean | null
}

export interface OptionEffects {
  items: string[]
  materials: MaterialUse[]
  notices: string[]
  waives: string[]
}

export interface GuidanceOption {
  code: string
  label: string
  effects: OptionEffects
}

export interface GuidanceQuestion {
  code: string
  title: string
  multiple: boolean
  depends_on?: { question: string; options: string[] } | null
  options: GuidanceOption[]
}

export interface OptionRef {
  question: string
  option: string
}

export interface Exclusion {
  options: OptionRef[]
  reason?: string | null
}

export interface TreeBody {
  kind: TreeKind
  description: string
  notices: string[]
  items: GuidanceItem[]
  materials: GuidanceMaterial[]
  questions: GuidanceQuestion[]
  exclusions: Exclusion[]
}

export interface TreeInput extends TreeBody {
  code: string
  name: string
}

export interface TreeSummary {
  code: string
  name: string
  kind: TreeKind
  status: TreeStatus
  latest_version: number
  published_version: number | null
  created_by: string
  created_at: string
  updated_at: string
  published_at: string | null
}

export interface TreeVersion {
  version: number
  name: string
  state: 'draft' | 'published' | 'superseded'
  created_by: string
  created_at: string
  updated_at: string
  published_by: string | null
  published_at: string | null
}

export interface TreeDetail extends TreeSummary {
  version: number
  body: TreeBody
  versions: TreeVersion[]
}

export interface Coverage {
  combinations: number
  empty_count: number
  empty: string[]
  contradictory_count: number
  contradictory: { path: string; materials: string[] }[]
  dead_end_count: number
  dead_ends: { path: string; question: string }[]
  unreachable_materials: string[]
  truncated: boolean
  passes: boolean
}

export interface PublicTree {
  code: string
  name: string
  version: number
  body: TreeBody
}

export interface AnswerResult {
  tree: string
  version: number
  path: string
  materials: GuidanceMaterial[]
  items: GuidanceItem[]
  notices: string[]
  token: string
  token_expires_at: string
}

export interface CreditVerdict {
  allowed: boolean
  reason?: string
  applicant: string
  listings: { source: string; listed_at: string; reason: string }[]
}

export interface MissingMaterial {
  code: string
  name: string
}

export interface TolerancePreparation {
  case_code: string
  item_code: string
  item_name: string | null
  applicant_name: string
  applicant: string
  credit: CreditVerdict
  tolerable: MissingMaterial[]
  open_tolerance: number | null
}

export interface ToleranceCase {
  id: number
  case_code: string
  item_code: string
  region_code: string
  department_code: string
  applicant_name: string
  applicant: string
  missing: MissingMaterial[]
  commitment: string
  commitment_signed_at: string
  deadline_days: number
  due_at: string
  status: 'open' | 'completed'
  overdue: boolean
  completed_at: string | null
  created_by: string
  created_at: string
}

export interface ToleranceRequest {
  case_code: string
  missing: string[]
  commitment_signed_at: string
  deadline_days: number
}

export interface DishonestEntry {
  id: number
  applicant: string
  listed_at: string
  reason: string
  source: string
  received_at: string
}

export interface GuidanceStats {
  paths: { tree_code: string; tree_name: string | null; path: string; answers: number }[]
  most_missed: { code: string; name: string; times: number }[]
  tolerance: {
    total: number
    open: number
    open_overdue: number
    completed_on_time: number
    completed_late: number
    on_time_rate: number | null
  }
}
