// Click-through from a dashboard figure to the list behind it (DASH-1), with
// the dashboard's filters translated into the query that list reads. A list
// that cannot apply one of the filters says so (`caveat`), so the numbers a
// leader compares are never silently different.
import type { RouteLocationRaw } from 'vue-router'
import type { Stage } from '@/api/models'
import type { DashFilters } from './filters'

type Query = Record<string, string>

function pick(f: DashFilters, keys: (keyof DashFilters)[], extra: Query = {}): Query {
  const q: Query = {}
  for (const k of keys) if (f[k]) q[k] = f[k]
  for (const [k, v] of Object.entries(extra)) if (v) q[k] = v
  return q
}

/** 预警信息 (reads level, stage, status, region, department, item, from, to). */
export function warningsLink(f: DashFilters, opts: { stage?: Stage; level?: 'red' | 'yellow' } = {}): RouteLocationRaw {
  const query = pick(f, ['region', 'department', 'item', 'from', 'to', 'stage'], {
    stage: opts.stage ?? '',
    level: opts.level ?? '',
  })
  return { name: 'mon-warnings', query }
}

/** 办件数据 (reads q, region, department, item, status, applicant_type, overdue, from, to). */
export function casesLink(f: DashFilters, opts: { status?: 'completed'; overdue?: boolean } = {}): RouteLocationRaw {
  return {
    name: 'agg-cases',
    query: pick(f, ['region', 'department', 'item', 'applicant_type', 'from', 'to'], {
      status: opts.status ?? '',
      overdue: opts.overdue ? 'true' : '',
    }),
  }
}

/** 咨询数据 (reads q, channel, region, item, from, to, linked). */
export function consultationsLink(f: DashFilters, opts: { q?: string } = {}): RouteLocationRaw {
  return { name: 'agg-consultations', query: pick(f, ['region', 'item', 'from', 'to'], { q: opts.q ?? '' }) }
}

/** 消息中心, unread messages only. */
export const unreadMessagesLink: RouteLocationRaw = { name: 'mon-messages', query: { unread: 'true' } }

const FILTER_LABELS: Partial<Record<keyof DashFilters, string>> = {
  department: '部门',
  applicant_type: '申请人类型',
}

/** Filters that the target list cannot apply (it then shows more than the figure). */
const UNSUPPORTED: Record<'warnings' | 'cases' | 'consultations', (keyof DashFilters)[]> = {
  warnings: ['applicant_type'],
  cases: [],
  consultations: ['department', 'applicant_type'],
}

/** `列表不支持按部门、申请人类型筛选` when some active filter is lost on the way; '' otherwise. */
export function caveat(target: keyof typeof UNSUPPORTED, f: DashFilters): string {
  const lost = UNSUPPORTED[target].filter((k) => f[k]).map((k) => FILTER_LABELS[k] ?? k)
  return lost.length ? `列表不支持按${lost.join('、')}筛选，将显示更多记录` : ''
}
