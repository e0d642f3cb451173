// The key figures of the dashboard (DASH-1) derived from the overview answer:
// rates that say "—" instead of a misleading 0.0% when nothing was completed,
// one card per warning stage with the built-in models it covers, and the
// stage funnel with the conversion from each step to the next.
import type { RouteLocationRaw } from 'vue-router'
import type { DashboardOverview, Funnel, RegionRow, Stage, StageWarnings } from '@/api/models'
import { EMPTY, formatDecimal, formatNumber, formatPercent, isDay } from '@/utils/format'
import { STAGES, type DashFilters } from './filters'
import { casesLink, caveat, consultationsLink } from './links'

/** part ÷ whole, null when the whole is 0 (no rate to speak of). */
export function rate(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null
}

/** `87.5%`, or `—` when there is no base. */
export function rateText(part: number, whole: number): string {
  const r = rate(part, whole)
  return r === null ? EMPTY : formatPercent(r)
}

export const STAGE_CARD: Record<Stage, { title: string; models: string }> = {
  consultation: { title: '咨询环节', models: '咨询次数' },
  acceptance: { title: '受理环节', models: '受理次数 · 受理超期' },
  approval: { title: '审批环节', models: '审批超期' },
  special_procedure: { title: '特别程序', models: '特殊环节超期' },
  immediate: { title: '即办件', models: '即办件' },
}

export interface StageCard extends StageWarnings {
  stage: Stage
  title: string
  models: string
}

const ZERO: StageWarnings = { total: 0, red: 0, yellow: 0, unread: 0 }

/** The five stage cards in business order (a stage missing from the answer counts 0). */
export function stageCards(by: Partial<Record<Stage, Partial<StageWarnings>>> | undefined): StageCard[] {
  return STAGES.map((stage) => ({ stage, ...STAGE_CARD[stage], ...ZERO, ...(by?.[stage] ?? {}) }))
}

export interface FunnelStep {
  key: keyof Funnel
  name: string
  value: number
  /** This step ÷ the previous one (null for 咨询 and 申请, or a 0 base). */
  fromPrevious: number | null
}

const FUNNEL_STEPS: [keyof Funnel, string][] = [
  ['consultations', '咨询'],
  ['applications', '申请'],
  ['accepted', '受理'],
  ['completed', '办结'],
  ['on_time', '按时办结'],
]

/**
 * The funnel's steps. Applications are not all preceded by a consultation,
 * so the first conversion shown is 受理 ÷ 申请.
 */
export function funnelSteps(f: Funnel): FunnelStep[] {
  return FUNNEL_STEPS.map(([key, name], i) => {
    const prev = i > 1 ? (f[FUNNEL_STEPS[i - 1]![0]] ?? 0) : 0
    return { key, name, value: f[key] ?? 0, fromPrevious: i > 1 ? rate(f[key] ?? 0, prev) : null }
  })
}

/** Days of an inclusive `YYYY-MM-DD` period (at least 1). */
export function periodDays(from: string, to: string): number {
  if (!isDay(from) || !isDay(to)) return 1
  const ms = Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)
  return Math.max(1, Math.round(ms / 86_400_000) + 1)
}

/**
 * Region rows as shown: the row of the region being broken down itself
 * (records kept at that level, not in any of its sub-regions) reads 本级.
 */
export function labelRegions(rows: RegionRow[], focus: string): RegionRow[] {
  return rows.map((r) => (focus && r.region_code === focus ? { ...r, name: `${r.name}（本级）` } : r))
}

/** Sum of a numeric column over rows (e.g. cases of all by_region rows). */
export function sumOf<T>(rows: T[], pick: (row: T) => number): number {
  return rows.reduce((s, r) => s + (pick(r) || 0), 0)
}

/** Nothing at all in the period (every chart then says 暂无数据). */
export function isEmptyOverview(o: DashboardOverview): boolean {
  return o.cases.total === 0 && o.consultations.total === 0 && o.warnings.total === 0
}

export interface CaseCard {
  key: string
  title: string
  /** The figure as a number (data-value, for tests and exports). */
  raw: number
  /** The figure as shown. */
  value: string
  sub: string
  colour: string
  to: RouteLocationRaw
  /** What a click opens, and what that list cannot narrow. */
  tip: string
}

/** 办件总量 · 办结 · 按时办结率 · 超期 · 咨询量, each opening its list with the same filters. */
export function caseCardsOf(o: DashboardOverview, f: DashFilters): CaseCard[] {
  const c = o.cases
  const n = formatNumber
  const consult = caveat('consultations', f)
  return [
    {
      key: 'cases-total',
      title: '办件总量',
      raw: c.total,
      value: n(c.total),
      sub: `已受理 ${n(c.accepted)} 件`,
      colour: '#409EFF',
      to: casesLink(f),
      tip: '查看办件列表',
    },
    {
      key: 'cases-completed',
      title: '办结',
      raw: c.completed,
      value: n(c.completed),
      sub: `办结率 ${rateText(c.completed, c.total)}`,
      colour: '#67C23A',
      to: casesLink(f, { status: 'completed' }),
      tip: '查看已办结办件',
    },
    {
      key: 'cases-rate',
      title: '按时办结率',
      raw: c.on_time,
      value: rateText(c.on_time, c.completed),
      sub: `按时办结 ${n(c.on_time)} / 办结 ${n(c.completed)} 件`,
      colour: '#3BA272',
      to: casesLink(f, { status: 'completed' }),
      tip: '按时办结 ÷ 办结；查看已办结办件',
    },
    {
      key: 'cases-overdue',
      title: '超期',
      raw: c.overdue,
      value: n(c.overdue),
      sub: `占办件 ${rateText(c.overdue, c.total)}`,
      colour: '#F56C6C',
      to: casesLink(f, { overdue: true }),
      tip: '任一环节超过时限（含已超期办结）；查看超期办件',
    },
    {
      key: 'consultations',
      title: '咨询量',
      raw: o.consultations.total,
      value: n(o.consultations.total),
      sub: `日均 ${formatDecimal(o.consultations.total / periodDays(o.from, o.to))} 次`,
      colour: '#36CBCB',
      to: consultationsLink(f),
      tip: consult ? `查看咨询列表（${consult}）` : '查看咨询列表',
    },
  ]
}

/**
 * The rows of a region breakdown worth a column: children with nothing at all
 * in the period are left out (a district's dozen empty streets), and counted.
 * The 本级 row of the focus region stays when it has figures.
 */
export function nonEmptyRegions(rows: RegionRow[]): { rows: RegionRow[]; hidden: number } {
  const kept = rows.filter((r) => r.cases + r.consultations + r.warnings + r.completed > 0)
  return { rows: kept, hidden: rows.length - kept.length }
}

/** An on-time rate's tone and words (colour is never the only signal): below 90 % 偏低, below 98 % 待提升. */
export function rateMark(onTime: number, completed: number): { tone: '' | 'bad' | 'warn' | 'good'; mark: string } {
  const r = rate(onTime, completed)
  if (r === null) return { tone: '', mark: '' }
  if (r < 0.9) return { tone: 'bad', mark: '偏低' }
  if (r < 0.98) return { tone: 'warn', mark: '待提升' }
  return { tone: 'good', mark: '良好' }
}
