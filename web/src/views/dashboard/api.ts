// Calls of docs/api-dashboard.md used by the dashboard page.
import { buildUrl, http, type QueryParams } from '@/api/client'
import type {
  DashboardExportFormat,
  DashboardOverview,
  DashboardTable,
  Hotword,
  HotwordMethod,
  SatisfactionFigures,
} from '@/api/models'
import { apiQuery, hotwordQuery, type DashFilters } from './filters'

export const dashboardApi = {
  overview: (f: DashFilters, signal?: AbortSignal) =>
    http.get<DashboardOverview>('/dashboard/overview', apiQuery(f), { signal }),
  satisfaction: (f: DashFilters, signal?: AbortSignal) =>
    http.get<SatisfactionFigures>('/dashboard/satisfaction', apiQuery(f), { signal }),
  hotwords: (f: DashFilters, method: HotwordMethod, signal?: AbortSignal) =>
    http.get<Hotword[]>('/dashboard/hotwords', hotwordQuery(f, method), { signal }),
  /** Streamed download of one statistic table for the same filters. */
  exportUrl: (format: DashboardExportFormat, table: DashboardTable, f: DashFilters) =>
    buildUrl('/dashboard/export', { ...apiQuery(f), format, table } satisfies QueryParams),
}
