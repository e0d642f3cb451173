// Shapes of the background export API (docs/api-dashboard.md, "Background
// exports (large lists)"). Keep in sync with the server.

/** The list a job exports. */
export type ExportSource = 'cases' | 'consultations' | 'warnings' | 'work_orders'
export type ExportFormat = 'xlsx' | 'csv'
export type ExportStatus = 'queued' | 'running' | 'done' | 'failed'

/** The list's own query parameters (without paging). */
export type ExportFilters = Record<string, string | number | boolean>

export interface ExportRequest {
  source: ExportSource
  format: ExportFormat
  filters: ExportFilters
}

export interface ExportJob {
  id: number
  source: ExportSource
  format: ExportFormat
  status: ExportStatus
  /** Rows written so far. */
  rows: number
  /** Rows the filters matched when the job started (0 while queued). */
  total: number
  /** 0–1; 1 once done. */
  progress: number
  /** The filters as the job keeps them (values as text). */
  filters: Record<string, string>
  /** Name of the file to download, once done. */
  file_name: string | null
  created_at: string
  started_at: string | null
  finished_at: string | null
  /** Why the job failed. */
  error: string | null
}
