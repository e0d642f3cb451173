// Typed calls of docs/api*.md, grouped by area. Pages import from here only.
import { buildUrl, http, type QueryParams } from './client'
import type {
  ActionRequest,
  AlertRule,
  AlertRuleDetail,
  AlertRuleInput,
  AlertRun,
  AnswerResult,
  ApiToken,
  ApiTokenCreated,
  AppealInput,
  ApplicantTimeline,
  Archive,
  AuditEntry,
  AuditVerify,
  BulkAnswer,
  CalendarDay,
  CalendarYear,
  CalendarYearSummary,
  Case,
  CaseDetail,
  CodeList,
  CodeListDetail,
  CompareRow,
  ComplaintClass,
  Consultation,
  Coverage,
  CreditVerdict,
  DeadlineAnswer,
  Department,
  DishonestEntry,
  Evaluation,
  ExportJob,
  ExportRequest,
  FeedHealth,
  GuidanceStats,
  HolidayCnFile,
  ImportKind,
  Indicator,
  IndicatorDetail,
  IndicatorInput,
  IndicatorTrend,
  IndicatorValue,
  IntakeAnswer,
  Item,
  ItemDetail,
  ItemDiff,
  LimitUnit,
  LinkingGroup,
  LinkingRow,
  LoginAnswer,
  Me,
  Message,
  MessagePage,
  MessageSummary,
  NoticeInput,
  Operation,
  OplogAnomaly,
  OplogCheck,
  OrderType,
  Page,
  Permission,
  Problem,
  PublicTree,
  Published,
  QualityCheck,
  QualityFailure,
  QualityRun,
  QualitySchedule,
  QualityTrendPoint,
  ReconciliationRow,
  Region,
  RegionDetail,
  Role,
  RuleDelivery,
  RuleField,
  RulePreview,
  Run,
  Scheme,
  SchemeDetail,
  SecurityPolicy,
  SimulationResult,
  Source,
  Subscription,
  ToleranceCase,
  TolerancePreparation,
  ToleranceRequest,
  Trace,
  TreeDetail,
  TreeInput,
  TreeKind,
  TreeSummary,
  UnitResult,
  User,
  UserCreate,
  UserUpdate,
  Warning,
  WarningAction,
  WarningDetail,
  WarningRule,
  WarningRuleDetail,
  WarningRuleInput,
  WarningRuleSummary,
  WorkbookImport,
  WorkOrder,
  WorkOrderAttachment,
  WorkOrderDetail,
  WorkOrderStat,
} from './models'

const enc = encodeURIComponent

export const authApi = {
  login: (username: string, password: string, totpCode?: string) =>
    http.post<LoginAnswer>(
      '/auth/login',
      totpCode ? { username, password, totp_code: totpCode } : { username, password },
      { skipAuthHandling: true },
    ),
  logout: () => http.post<void>('/auth/logout', undefined, { skipAuthHandling: true }),
  me: (opts: { skipAuthHandling?: boolean } = {}) => http.get<Me>('/me', undefined, opts),
  changePassword: (oldPassword: string, newPassword: string) =>
    http.post<void>('/auth/password', { old_password: oldPassword, new_password: newPassword }),
}

export const orgApi = {
  regions: () => http.get<Region[]>('/regions'),
  departments: (q: QueryParams) => http.get<Page<Department>>('/departments', q),
  department: (code: string) => http.get<Department>(`/departments/${enc(code)}`),
  createDepartment: (body: { code: string; name: string; region_code: string }) =>
    http.post<Department>('/departments', body),
  updateDepartment: (code: string, body: { name: string; region_code: string }) =>
    http.put<Department>(`/departments/${enc(code)}`, body),
  deleteDepartment: (code: string) => http.delete(`/departments/${enc(code)}`),
  region: (code: string) => http.get<RegionDetail>(`/regions/${enc(code)}`),
  updateRegion: (code: string, body: { name: string; attributes: Record<string, string> }) =>
    http.put<RegionDetail>(`/regions/${enc(code)}`, body),
  mergeRegion: (code: string, into: string) =>
    http.post<RegionDetail>(`/regions/${enc(code)}/merge`, { into }),
  deleteRegion: (code: string) => http.delete(`/regions/${enc(code)}`),
}

export const userApi = {
  list: (q: QueryParams) => http.get<Page<User>>('/users', q),
  get: (id: User['id']) => http.get<User>(`/users/${enc(String(id))}`),
  create: (body: UserCreate) => http.post<User>('/users', body),
  update: (id: User['id'], body: UserUpdate) => http.put<User>(`/users/${enc(String(id))}`, body),
  remove: (id: User['id']) => http.delete(`/users/${enc(String(id))}`),
  unlock: (id: User['id']) => http.post<void>(`/users/${enc(String(id))}/unlock`),
  resetPassword: (id: User['id'], password: string) =>
    http.post<void>(`/users/${enc(String(id))}/reset-password`, { password }),
}

export const roleApi = {
  list: () => http.get<Role[]>('/roles'),
  permissions: () => http.get<Permission[]>('/permissions'),
  create: (body: Pick<Role, 'code' | 'name' | 'description' | 'permissions'>) =>
    http.post<Role>('/roles', body),
  update: (code: string, body: Pick<Role, 'name' | 'description' | 'permissions'>) =>
    http.put<Role>(`/roles/${enc(code)}`, body),
  remove: (code: string) => http.delete(`/roles/${enc(code)}`),
}

export const policyApi = {
  get: () => http.get<SecurityPolicy>('/security/policy'),
  update: (body: SecurityPolicy) => http.put<SecurityPolicy>('/security/policy', body),
}

export const tokenApi = {
  list: () => http.get<ApiToken[]>('/tokens'),
  create: (body: { name: string; scope: string }) => http.post<ApiTokenCreated>('/tokens', body),
  revoke: (id: ApiToken['id']) => http.delete(`/tokens/${enc(String(id))}`),
}

export const auditApi = {
  list: (q: QueryParams) => http.get<Page<AuditEntry>>('/audit', q),
  verify: () => http.get<AuditVerify>('/audit/verify'),
  /** Export is a plain browser download (streamed by the server, never held in memory here). */
  exportUrl: (format: 'csv' | 'xlsx', q: QueryParams) => buildUrl('/audit/export', { ...q, format }),
}

// ---- Data aggregation (docs/api-aggregation.md) ----

export const itemApi = {
  list: (q: QueryParams) => http.get<Page<Item>>('/items', q),
  get: (itemCode: string) => http.get<ItemDetail>(`/items/${enc(itemCode)}`),
}

export const importApi = {
  /** A CSV / XLSX file sent as is; `source` names the source system whose collection rules apply. */
  upload: (kind: ImportKind, file: Blob, contentType: string, source?: string) =>
    http.upload<IntakeAnswer>(`/import/${kind}`, file, contentType, { source }),
  /** 下载模板: the kind's columns with a sample row, and its code lists (XLSX). */
  templateUrl: (kind: ImportKind) => buildUrl(`/import/${kind}/template`, {}),
}

export const consultationApi = {
  list: (q: QueryParams) => http.get<Page<Consultation>>('/consultations', q),
}

export const caseApi = {
  list: (q: QueryParams) => http.get<Page<Case>>('/cases', q),
  get: (caseCode: string) => http.get<CaseDetail>(`/cases/${enc(caseCode)}`),
  /** The applicant's full ID number (needs identity:reveal; audited). */
  reveal: (caseCode: string) => http.post<{ applicant_id: string }>(`/cases/${enc(caseCode)}/reveal`),
}

/** Operators' marks on records (docs/api-aggregation.md, "Erroneous records"). */
export const recordApi = {
  markErroneous: (kind: 'cases' | 'consultations' | 'evaluations', key: string, reason: string) =>
    http.put<{ kind: string; key: string; erroneous_reason: string | null }>(`/records/${kind}/${enc(key)}/erroneous`, { reason }),
  unmarkErroneous: (kind: 'cases' | 'consultations' | 'evaluations', key: string) =>
    http.delete<{ kind: string; key: string; erroneous_reason: string | null }>(`/records/${kind}/${enc(key)}/erroneous`),
}

export const evaluationApi = {
  list: (q: QueryParams) => http.get<Page<Evaluation>>('/evaluations', q),
}

export const applicantApi = {
  timeline: (applicantKey: string) => http.get<ApplicantTimeline>(`/applicants/${enc(applicantKey)}/timeline`),
}

export const linkingApi = {
  stats: (group: LinkingGroup, q: QueryParams) =>
    http.get<{ items: LinkingRow[] }>('/linking/stats', { ...q, group }),
}

export const sourceApi = {
  list: () => http.get<Source[]>('/sources'),
  create: (body: Source) => http.post<Source>('/sources', body),
  update: (code: string, body: Source) => http.put<Source>(`/sources/${enc(code)}`, body),
  remove: (code: string) => http.delete(`/sources/${enc(code)}`),
}

export const reconciliationApi = {
  list: (q: QueryParams) => http.get<Page<ReconciliationRow>>('/reconciliation', q),
  exportUrl: (format: 'csv' | 'xlsx', q: QueryParams) => buildUrl('/reconciliation/export', { ...q, format }),
  /** Feed health of the configured sources (docs/api-aggregation.md, "Feed health"). */
  health: () => http.get<FeedHealth[]>('/sources/health'),
}

// ---- Monitoring and early warning (docs/api-monitoring.md) ----

export const calendarApi = {
  years: () => http.get<CalendarYearSummary[]>('/calendar/years'),
  year: (year: number) => http.get<CalendarYear>(`/calendar/years/${year}`),
  /** Open cases are re-evaluated by the server. */
  saveYear: (year: number, days: CalendarDay[]) => http.put<CalendarYear>(`/calendar/years/${year}`, { days }),
  /** A holiday-cn year file, sent as its JSON. */
  importFile: (file: HolidayCnFile) => http.post<CalendarYear>('/calendar/import', file),
  deadline: (start: string, days: number, unit: LimitUnit) =>
    http.get<DeadlineAnswer>('/calendar/deadline', { start, days, unit }),
}

export const warningRuleApi = {
  list: (q: QueryParams) => http.get<Page<WarningRuleSummary>>('/warning-rules', q),
  get: (code: string) => http.get<WarningRuleDetail>(`/warning-rules/${enc(code)}`),
  version: (code: string, version: number) =>
    http.get<WarningRule>(`/warning-rules/${enc(code)}/versions/${version}`),
  create: (body: WarningRuleInput) => http.post<WarningRule>('/warning-rules', body),
  update: (code: string, body: WarningRuleInput) => http.put<WarningRule>(`/warning-rules/${enc(code)}`, body),
  remove: (code: string) => http.delete(`/warning-rules/${enc(code)}`),
  fields: () => http.get<RuleField[]>('/warning-rules/fields'),
  preview: (rule: WarningRuleInput, level: string, caseCode: string) =>
    http.post<RulePreview>('/warning-rules/preview', { rule, level, case_code: caseCode }),
  simulate: (rule: WarningRuleInput, from: string, to: string) =>
    http.post<SimulationResult>('/warning-rules/simulate', { rule, from, to }),
  deliveries: (code: string, q: QueryParams) =>
    http.get<Page<RuleDelivery>>(`/warning-rules/${enc(code)}/deliveries`, q),
}

export const warningApi = {
  list: (q: QueryParams) => http.get<Page<Warning>>('/warnings', q),
  get: (id: Warning['id'] | string) => http.get<WarningDetail>(`/warnings/${enc(String(id))}`),
  acknowledge: (id: Warning['id'] | string) => http.post<Warning>(`/warnings/${enc(String(id))}/acknowledge`, {}),
  handle: (id: Warning['id'] | string, note: string) => http.post<Warning>(`/warnings/${enc(String(id))}/handle`, { note }),
  falsePositive: (id: Warning['id'] | string, reason: string) =>
    http.post<Warning>(`/warnings/${enc(String(id))}/false-positive`, { reason }),
  bulk: (ids: Warning['id'][], action: WarningAction, note?: string) =>
    http.post<BulkAnswer>('/warnings/bulk', note === undefined ? { ids, action } : { ids, action, note }),
  exportUrl: (format: 'csv' | 'xlsx', q: QueryParams) => buildUrl('/warnings/export', { ...q, format }),
}

export const messageApi = {
  list: (q: QueryParams) => http.get<MessagePage>('/messages', q),
  summary: () => http.get<MessageSummary>('/messages/summary', undefined, { background: true }),
  markRead: (ids: Message['id'][]) => http.post<{ updated: number }>('/messages/read', { ids }),
  markAllRead: () => http.post<{ updated: number }>('/messages/read', { all: true }),
  subscriptions: () => http.get<Subscription[]>('/me/subscriptions'),
  saveSubscriptions: (list: Subscription[]) => http.put<Subscription[]>('/me/subscriptions', list),
}

// ---- Background exports (docs/api-dashboard.md) ----

export const exportApi = {
  create: (body: ExportRequest) => http.post<ExportJob>('/exports', body),
  /** The caller's own jobs (a list page); `background` for polls (they keep no session alive). */
  list: (q: QueryParams, opts: { background?: boolean } = {}) => http.get<Page<ExportJob>>('/exports', q, opts),
  get: (id: ExportJob['id'], opts: { background?: boolean } = {}) =>
    http.get<ExportJob>(`/exports/${enc(String(id))}`, undefined, opts),
  /** A plain browser download of the finished file. */
  downloadUrl: (id: ExportJob['id']) => buildUrl(`/exports/${enc(String(id))}/download`),
}

export const workOrderApi = {
  types: () => http.get<OrderType[]>('/work-order-types'),
  list: (q: QueryParams) => http.get<Page<WorkOrder>>('/work-orders', q),
  get: (code: string) => http.get<WorkOrderDetail>(`/work-orders/${enc(code)}`),
  act: (code: string, body: ActionRequest) => http.post<WorkOrderDetail>(`/work-orders/${enc(code)}/actions`, body),
  attachmentUrl: (code: string, id: number) => buildUrl(`/work-orders/${enc(code)}/attachments/${id}`, {}),
  uploadUrl: (code: string) => buildUrl(`/work-orders/${enc(code)}/attachments`, {}),
  itemDiff: (item: string, from: number, to: number) => http.get<ItemDiff>(`/items/${enc(item)}/diff`, { from, to }),
  classes: () => http.get<ComplaintClass[]>('/complaint-classes'),
  stats: (q: QueryParams) => http.get<WorkOrderStat[]>('/work-orders/stats', q),
}

export type { WorkOrderAttachment }

// ---- Case data quality (docs/api-quality.md) ----

export const qualityApi = {
  checks: () => http.get<QualityCheck[]>('/quality/checks'),
  start: (from: string, to: string, region?: string) =>
    http.post<{ run_id: number }>('/quality/runs', region ? { from, to, region } : { from, to }),
  runs: () => http.get<QualityRun[]>('/quality/runs'),
  get: (id: number) => http.get<QualityRun>(`/quality/runs/${id}`),
  failures: (id: number, q: QueryParams) => http.get<Page<QualityFailure>>(`/quality/runs/${id}/failures`, q),
  reportUrl: (id: number) => buildUrl(`/quality/runs/${id}/report`, {}),
  startOplogCheck: (body: { from: string; to: string; region?: string; sample: number }) =>
    http.post<OplogCheck>('/quality/oplog-checks', body),
  oplogChecks: () => http.get<OplogCheck[]>('/quality/oplog-checks'),
  oplogCheck: (id: number) => http.get<OplogCheck>(`/quality/oplog-checks/${id}`),
  oplogAnomalies: (id: number, q: QueryParams) =>
    http.get<Page<OplogAnomaly>>(`/quality/oplog-checks/${id}/anomalies`, q),
  caseOperations: (caseCode: string) => http.get<Operation[]>(`/cases/${enc(caseCode)}/operation-logs`),
  schedules: () => http.get<QualitySchedule[]>('/quality/schedules'),
  createSchedule: (body: { cron: string; days: number; region?: string }) =>
    http.post<QualitySchedule>('/quality/schedules', body),
  deleteSchedule: (id: number) => http.delete(`/quality/schedules/${id}`),
  trend: () => http.get<QualityTrendPoint[]>('/quality/trend'),
  codeLists: () => http.get<CodeList[]>('/quality/code-lists'),
  codeList: (code: string) => http.get<CodeListDetail>(`/quality/code-lists/${enc(code)}`),
  /** A `code,name` CSV with a header row: the list's next version. */
  uploadCodeList: (code: string, file: Blob) => http.upload<CodeList>(`/quality/code-lists/${enc(code)}`, file, 'text/csv'),
  setCodeListSource: (code: string, body: { source_url: string | null; schedule: string | null }) =>
    http.put<CodeList>(`/quality/code-lists/${enc(code)}/source`, body),
  refreshCodeList: (code: string) => http.post<CodeList>(`/quality/code-lists/${enc(code)}/refresh`, {}),
}

export const guidanceApi = {
  trees: (q: QueryParams) => http.get<Page<TreeSummary>>('/guidance/trees', q),
  tree: (code: string, version?: number) =>
    http.get<TreeDetail>(`/guidance/trees/${enc(code)}`, version ? { version } : {}),
  create: (body: TreeInput) => http.post<TreeDetail>('/guidance/trees', body),
  save: (code: string, body: TreeInput) => http.put<TreeDetail>(`/guidance/trees/${enc(code)}`, body),
  coverage: (code: string) => http.get<Coverage>(`/guidance/trees/${enc(code)}/coverage`),
  publish: (code: string) => http.post<TreeDetail>(`/guidance/trees/${enc(code)}/publish`, {}),
  publicTrees: () =>
    http.get<Page<{ code: string; name: string; kind: TreeKind }>>('/public/guidance', { size: 100 }),
  publicTree: (code: string) => http.get<PublicTree>(`/public/guidance/${enc(code)}`),
  answer: (code: string, answers: Record<string, string | string[]>) =>
    http.post<AnswerResult>(`/public/guidance/${enc(code)}/answer`, { answers }),
  stats: () => http.get<GuidanceStats>('/guidance/stats'),
  creditCheck: (body: { applicant_id?: string; case_code?: string }) => http.post<CreditVerdict>('/credit/check', body),
  dishonest: (q: QueryParams) => http.get<Page<DishonestEntry>>('/credit/dishonest', q),
  /** A CSV or XLSX file with the columns applicant_id, listed_at, reason, source. */
  importDishonest: (file: File) =>
    http.upload<IntakeAnswer>(
      '/intake/dishonest-list',
      file,
      file.name.toLowerCase().endsWith('.xlsx')
        ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
        : 'text/csv',
    ),
  prepare: (caseCode: string) => http.get<TolerancePreparation>(`/tolerance/prepare/${enc(caseCode)}`),
  tolerances: (q: QueryParams) => http.get<Page<ToleranceCase>>('/tolerance', q),
  tolerance: (id: number) => http.get<ToleranceCase>(`/tolerance/${id}`),
  accept: (body: ToleranceRequest) => http.post<ToleranceCase>('/tolerance', body),
  complete: (id: number) => http.post<ToleranceCase>(`/tolerance/${id}/complete`, {}),
}

/** 质效评价 (docs/api-evaluation.md); `evaluationApi` is the 评价数据 of aggregation. */
export const assessmentApi = {
  indicators: (q: QueryParams) => http.get<Page<Indicator>>('/indicators', q),
  indicator: (code: string) => http.get<IndicatorDetail>(`/indicators/${enc(code)}`),
  createIndicator: (body: IndicatorInput) => http.post<Indicator>('/indicators', body),
  updateIndicator: (code: string, body: IndicatorInput) => http.put<Indicator>(`/indicators/${enc(code)}`, body),
  values: (code: string, period: string, unitLevel: string) =>
    http.get<IndicatorValue[]>(`/indicators/${enc(code)}/values`, { period, unit_level: unitLevel }),
  /** A unit's values over `count` months / quarters / years ending with `to`. */
  trend: (code: string, q: { unit: string; unit_level: string; to: string; count: number }) =>
    http.get<IndicatorTrend>(`/indicators/${enc(code)}/trend`, q),
  schemes: () => http.get<Scheme[]>('/scoring-schemes'),
  scheme: (code: string) => http.get<SchemeDetail>(`/scoring-schemes/${enc(code)}`),
  createScheme: (body: { code: string; name: string; definition: unknown }) => http.post<Scheme>('/scoring-schemes', body),
  updateScheme: (code: string, body: { name: string; definition: unknown; version: number }) =>
    http.put<Scheme>(`/scoring-schemes/${enc(code)}`, body),
  runs: (q: QueryParams = { size: 200 }) => http.get<Page<Run>>('/evaluation/runs', q),
  run: (body: { scheme: string; period: string; mode: 'test' | 'official' }) => http.post<{ run_id: number }>('/evaluation/runs', body),
  results: (id: number) => http.get<UnitResult[]>(`/evaluation/runs/${id}/results`),
  trace: (id: number, unit: string) => http.get<Trace>(`/evaluation/runs/${id}/trace/${enc(unit)}`),
  problems: (id: number, unit: string) => http.get<Problem[]>(`/evaluation/runs/${id}/problems/${enc(unit)}`),
  compare: (a: number, b: number) => http.get<CompareRow[]>('/evaluation/compare', { a, b }),
  publish: (id: number) => http.post<Published>(`/evaluation/runs/${id}/publish`, {}),
  archive: (id: number) => http.get<Archive>(`/evaluation/archives/${id}`),
  appeal: (body: AppealInput) => http.post<{ code: string }>('/evaluation/appeals', body),
  notice: (body: NoticeInput) => http.post<{ orders: string[] }>('/evaluation/notices', body),
  alertRules: (q: QueryParams) => http.get<Page<AlertRule>>('/indicator-alerts', q),
  alertRule: (code: string) => http.get<AlertRuleDetail>(`/indicator-alerts/${enc(code)}`),
  createAlertRule: (body: AlertRuleInput) => http.post<AlertRule>('/indicator-alerts', body),
  updateAlertRule: (code: string, body: AlertRuleInput) => http.put<AlertRule>(`/indicator-alerts/${enc(code)}`, body),
  runAlertRule: (code: string, period?: string) =>
    http.post<AlertRun>(`/indicator-alerts/${enc(code)}/run`, period ? { period } : {}),
  /** 导出: the indicators and their warning rules as one XLSX workbook. */
  workbookUrl: () => buildUrl('/indicator-workbook', {}),
  importWorkbook: (file: File) =>
    http.upload<WorkbookImport>('/indicator-workbook', file, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'),
}
