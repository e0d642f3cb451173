// Exports of list pages (DASH-4). Up to BACKGROUND_THRESHOLD rows a list
// downloads directly — through its own download URL, or, for lists that have
// none, through a job the page waits for. Beyond it a background job is
// queued and the user is told where to follow it (导出任务). The 导出任务 page
// lists the caller's jobs and polls while any of them is queued or running.
import { computed, h, onBeforeUnmount, ref } from 'vue'
import { useRouter } from 'vue-router'
import { ElMessage } from 'element-plus'
import { exportApi } from '@/api'
import type { QueryParams } from '@/api/client'
import type { ExportFilters, ExportFormat, ExportJob, ExportSource, ExportStatus } from '@/api/models'
import { showError, startDownload } from '@/utils/feedback'
import { formatNumber, formatTotal } from '@/utils/format'
import type { TagType } from '@/utils/labels'
import type { Filters } from '@/utils/query'
import { useListPage } from './useListPage'

/** More rows than this go to a background job. */
export const BACKGROUND_THRESHOLD = 10_000
/** The 导出任务 page. */
export const EXPORTS_PATH = '/system/exports'
/** Poll interval while jobs run. */
export const POLL_MS = 2_000
/** How long a page waits for a small export before pointing to 导出任务. */
export const WAIT_MS = 60_000

export const SOURCE_LABEL: Record<ExportSource, string> = {
  cases: '办件数据',
  consultations: '咨询数据',
  warnings: '预警信息',
  work_orders: '工单',
}

export const STATUS_LABEL: Record<ExportStatus, { text: string; type: TagType }> = {
  queued: { text: '排队中', type: 'info' },
  running: { text: '导出中', type: 'primary' },
  done: { text: '已完成', type: 'success' },
  failed: { text: '失败', type: 'danger' },
}

/** Names of the list filters, for showing what a job exports. */
export const FILTER_LABEL: Record<string, string> = {
  q: '关键字',
  from: '开始',
  to: '结束',
  region: '区划',
  department: '部门',
  item: '事项',
  status: '状态',
  applicant_type: '申请人类型',
  channel: '渠道',
  linked: '是否申办',
  level: '预警级别',
  stage: '环节',
  case: '办件编号',
  rule: '预警规则',
  overdue: '超期',
  view: '视图',
  type: '工单类型',
  state: '工单状态',
  unit: '责任单位',
  class: '投诉分类',
}

/** Parameters of the list machinery, not filters. */
const NOT_FILTERS = ['page', 'size', 'sort', 'after', 'format']

/** More rows than a direct download should carry? */
export function needsBackground(total: number): boolean {
  return total > BACKGROUND_THRESHOLD
}

/** A list's API query as job filters: empty values and paging left out. */
export function exportFilters(query: QueryParams): ExportFilters {
  const out: ExportFilters = {}
  for (const [key, raw] of Object.entries(query)) {
    const value = Array.isArray(raw) ? raw[0] : raw
    if (NOT_FILTERS.includes(key) || value === undefined || value === null || value === '') continue
    out[key] = value
  }
  return out
}

/** `区划：110105；开始：2026-11-01` (全部 when unfiltered). */
export function filterText(filters: Record<string, string> | null | undefined): string {
  const parts = Object.entries(filters ?? {}).map(([k, v]) => `${FILTER_LABEL[k] ?? k}：${v}`)
  return parts.length ? parts.join('；') : '全部'
}

export const isActive = (job: Pick<ExportJob, 'status'>): boolean => job.status === 'queued' || job.status === 'running'

/** Progress bar percentage (0–100, whole numbers). */
export function percent(job: Pick<ExportJob, 'status' | 'progress'>): number {
  if (job.status === 'done') return 100
  return Math.max(0, Math.min(100, Math.floor(job.progress * 100)))
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export interface BackgroundExportOptions {
  source: ExportSource
  /** The list's API query for the filters it shows. */
  query: () => QueryParams
  /** Rows those filters match. */
  total: () => number
  /** False when `total` is a lower bound (the list stopped counting): then it is large. */
  exact?: () => boolean
}

/** Export buttons of a list page. */
export function useBackgroundExport(opts: BackgroundExportOptions) {
  const router = useRouter()
  const exact = () => opts.exact?.() !== false
  const large = computed(() => !exact() || needsBackground(opts.total()))
  /** The format being exported ('' when idle). */
  const busy = ref<'' | ExportFormat>('')
  let gone = false
  onBeforeUnmount(() => {
    gone = true
  })

  const queue = (format: ExportFormat) =>
    exportApi.create({ source: opts.source, format, filters: exportFilters(opts.query()) })

  function pointToJobs(lead: string): void {
    const link = h(
      'a',
      {
        href: EXPORTS_PATH,
        class: 'table-link',
        'data-testid': 'export-jobs-link',
        onClick: (e: MouseEvent) => {
          e.preventDefault()
          void router.push(EXPORTS_PATH)
        },
      },
      '导出任务',
    )
    ElMessage.success({ message: h('span', [lead, '，可在', link, '页面查看进度并下载']), duration: 8000, showClose: true })
  }

  async function run<T>(format: ExportFormat, work: () => Promise<T>): Promise<T | null> {
    busy.value = format
    try {
      return await work()
    } catch (e) {
      showError(e)
      return null
    } finally {
      busy.value = ''
    }
  }

  /** 后台导出: queue a job and say where to follow it. */
  const background = (format: ExportFormat) =>
    run(format, async () => {
      const job = await queue(format)
      pointToJobs(`已创建后台导出任务（${SOURCE_LABEL[opts.source]}，约 ${formatTotal(opts.total(), exact())} 行）`)
      return job
    })

  /** A small export of a list without a direct download: wait for its job, then download. */
  const viaJob = (format: ExportFormat) =>
    run(format, async () => {
      let job = await queue(format)
      const started = Date.now()
      while (isActive(job)) {
        if (gone) return job
        if (Date.now() - started > WAIT_MS) {
          pointToJobs('导出仍在进行')
          return job
        }
        await sleep(Math.min(POLL_MS, 500 + (Date.now() - started) / 4))
        job = await exportApi.get(job.id, { background: true })
      }
      if (job.status === 'done') {
        startDownload(exportApi.downloadUrl(job.id))
        ElMessage.success(`已开始下载（${formatNumber(job.rows)} 行），请留意浏览器下载`)
      } else {
        ElMessage.error(job.error || '导出失败')
      }
      return job
    })

  return { large, busy, background, viaJob }
}

/**
 * The caller's jobs as a list page (newest first), its shown page reloaded
 * every POLL_MS while a job on it is queued or running. A timer's reload is
 * quiet: no spinner, no error message, no session kept alive.
 */
export function useExportJobs() {
  let timer: ReturnType<typeof setTimeout> | undefined
  let alive = true

  const list = useListPage<Filters, ExportJob>({
    defaults: {},
    defaultSort: '-created_at',
    fetch: ({ paging, quiet }) => exportApi.list(paging, { background: quiet }),
    onSettled: () => schedule(),
  })
  const active = computed(() => list.items.value.some(isActive))

  function schedule(): void {
    clearTimeout(timer)
    timer = alive && active.value ? setTimeout(() => void list.poll(), POLL_MS) : undefined
  }

  onBeforeUnmount(() => {
    alive = false
    clearTimeout(timer)
  })

  return { list, jobs: list.items, loading: list.loading, active, reload: list.reload }
}
