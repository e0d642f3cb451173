// The dashboard's filters (DASH-3) live in the URL query so a view can be
// shared, reloaded and walked with back / forward. The period defaults to the
// 30 days ending today (Asia/Shanghai); a default or invalid value is left out
// of the URL.
import type { LocationQuery } from 'vue-router'
import type { QueryParams } from '@/api/client'
import type { ApplicantType, HotwordMethod, Stage } from '@/api/models'
import { dateRange } from '@/utils/dateRange'
import { isDay } from '@/utils/format'

export interface DashFilters {
  from: string
  to: string
  region: string
  department: string
  item: string
  stage: Stage | ''
  applicant_type: ApplicantType | ''
}

export const FILTER_KEYS = ['from', 'to', 'region', 'department', 'item', 'stage', 'applicant_type'] as const

export const STAGES: Stage[] = ['consultation', 'acceptance', 'approval', 'special_procedure', 'immediate']
export const APPLICANT_TYPES: ApplicantType[] = ['person', 'org']

/** The default period: the last 30 days, today included. */
export const defaultPeriod = (now: Date = new Date()): [string, string] => dateRange('last30', now)

export function defaultFilters(now: Date = new Date()): DashFilters {
  const [from, to] = defaultPeriod(now)
  return { from, to, region: '', department: '', item: '', stage: '', applicant_type: '' }
}

function first(v: LocationQuery[string] | undefined): string {
  const s = Array.isArray(v) ? v[0] : v
  return (s ?? '').trim()
}

/** A code as the API knows them (region, department, item): no spaces or markup. */
const CODE_RE = /^[\w.-]{1,64}$/

/** URL query → filters; anything unknown or malformed falls back to its default. */
export function filtersFromQuery(query: LocationQuery, now: Date = new Date()): DashFilters {
  const f = defaultFilters(now)
  const from = first(query.from)
  const to = first(query.to)
  if (isDay(from) && isDay(to) && from <= to) {
    f.from = from
    f.to = to
  }
  for (const key of ['region', 'department', 'item'] as const) {
    const v = first(query[key])
    if (CODE_RE.test(v)) f[key] = v
  }
  const stage = first(query.stage)
  if ((STAGES as string[]).includes(stage)) f.stage = stage as Stage
  const applicant = first(query.applicant_type)
  if ((APPLICANT_TYPES as string[]).includes(applicant)) f.applicant_type = applicant as ApplicantType
  return f
}

/** Filters → URL query: empty values and the default period are left out. */
export function filtersToQuery(f: DashFilters, now: Date = new Date()): Record<string, string> {
  const q: Record<string, string> = {}
  const [dFrom, dTo] = defaultPeriod(now)
  if (f.from && f.to && !(f.from === dFrom && f.to === dTo)) {
    q.from = f.from
    q.to = f.to
  }
  for (const key of ['region', 'department', 'item', 'stage', 'applicant_type'] as const) {
    if (f[key]) q[key] = f[key]
  }
  return q
}

/** True when nothing narrows the default view (the 重置 button is then idle). */
export function isDefault(f: DashFilters, now: Date = new Date()): boolean {
  return Object.keys(filtersToQuery(f, now)).length === 0
}

/** Filters → the common query of GET /dashboard/overview and /dashboard/export. */
export function apiQuery(f: DashFilters): QueryParams {
  const q: QueryParams = {}
  for (const key of FILTER_KEYS) if (f[key]) q[key] = f[key]
  return q
}

/** Filters → the query of GET /dashboard/hotwords (no stage, no applicant type). */
export function hotwordQuery(f: DashFilters, method: HotwordMethod, limit = 100): QueryParams {
  const q: QueryParams = {}
  for (const key of ['from', 'to', 'region', 'department', 'item'] as const) if (f[key]) q[key] = f[key]
  return { ...q, method, limit }
}
