// Chinese labels and tag colours for enumerations of the API.
import type {
  AdminDuty,
  ApplicantType,
  AuditResult,
  CalendarSource,
  CaseEventKind,
  CaseStatus,
  Channel,
  ClockStatus,
  ConditionOp,
  DeliveryStatus,
  DepartmentLevel,
  ImportKind,
  LimitUnit,
  RuleType,
  Scope,
  ScopeKind,
  Stage,
  UserStatus,
  WarningAction,
  WarningStatus,
} from '@/api/models'

export type TagType = 'success' | 'warning' | 'danger' | 'info' | 'primary'

export const USER_STATUS: Record<UserStatus, { text: string; type: TagType }> = {
  active: { text: '正常', type: 'success' },
  locked: { text: '已锁定', type: 'danger' },
  disabled: { text: '已停用', type: 'info' },
}

export const AUDIT_RESULT: Record<AuditResult, { text: string; type: TagType }> = {
  success: { text: '成功', type: 'success' },
  failure: { text: '失败', type: 'danger' },
  denied: { text: '拒绝', type: 'warning' },
}

/** Audit-log actions by their code (the code stays in a tooltip and in exports). */
export const AUDIT_ACTION: Record<string, string> = {
  'auth.login': '登录',
  'auth.logout': '退出登录',
  'auth.password_change': '修改密码',
  'auth.permission': '越权访问',
  'auth.totp_setup': '设置双因素认证',
  'auth.totp_enable': '启用双因素认证',
  'auth.totp_disable': '停用双因素认证',
  'audit.export': '导出审计日志',
  'audit.verify': '校验审计日志',
  'calendar.save': '保存工作日历',
  'dashboard.dictionary': '维护热词词典',
  'department.create': '新增部门',
  'department.update': '修改部门',
  'department.delete': '删除部门',
  'export.create': '创建导出任务',
  'export.download': '下载导出文件',
  'identity.reveal': '查看完整证件号码',
  'intake.items': '导入事项目录',
  'intake.consultations': '导入咨询数据',
  'intake.cases': '导入办件数据',
  'intake.case-events': '导入办件过程',
  'intake.evaluations': '导入评价数据',
  'org.seed': '初始化组织机构',
  'policy.update': '修改安全策略',
  'reconciliation.export': '导出对账统计',
  'role.create': '新增角色',
  'role.update': '修改角色',
  'role.delete': '删除角色',
  'server.busy': '服务繁忙拒绝请求',
  'source.create': '新增汇聚规则',
  'source.update': '修改汇聚规则',
  'source.delete': '删除汇聚规则',
  'subscription.save': '保存消息订阅',
  'token.create': '创建接口令牌',
  'token.revoke': '吊销接口令牌',
  'user.create': '新增用户',
  'user.update': '修改用户',
  'user.delete': '删除用户',
  'user.reset_password': '重置密码',
  'user.unlock': '解锁用户',
  'warning.acknowledged': '确认预警',
  'warning.handled': '处置预警',
  'warning.false_positive': '标记预警误报',
  'warning.bulk_acknowledged': '批量确认预警',
  'warning.bulk_handled': '批量处置预警',
  'warning.bulk_false_positive': '批量标记误报',
  'warning_rule.create': '新增预警规则',
  'warning_rule.update': '修改预警规则',
  'warning_rule.delete': '删除预警规则',
}

/** The Chinese name of an audit action; an unknown code is shown as it is. */
export const auditActionText = (code: string): string => AUDIT_ACTION[code] ?? code

export const DEPARTMENT_LEVEL: Record<DepartmentLevel, string> = {
  city: '市级',
  district: '区级',
}

export const ADMIN_DUTY: Record<AdminDuty, string> = {
  system: '系统管理员',
  security: '安全管理员',
  audit: '审计管理员',
}

export const SCOPE_KIND: Record<ScopeKind, string> = {
  city: '全市',
  region: '区划',
  department: '部门',
}

/** e.g. 全市 / 区划：朝阳区 / 部门：市政务服务局 */
export function scopeText(
  scope: Scope | null | undefined,
  regionName: string | null | undefined,
  departmentName: string | null | undefined,
): string {
  if (!scope) return '—'
  switch (scope.kind) {
    case 'city':
      return '全市'
    case 'region':
      return `区划：${regionName || scope.region_code || '—'}`
    case 'department':
      return `部门：${departmentName || scope.department_code || '—'}`
    default:
      return '—'
  }
}

export function labelOf<K extends string>(
  map: Record<K, { text: string; type: TagType }>,
  key: string,
): { text: string; type: TagType } {
  return (map as Record<string, { text: string; type: TagType }>)[key] ?? { text: key, type: 'info' }
}

/** Label of a plain code → text map; the code itself when unknown, — when empty. */
export function textOf(map: Record<string, string>, key: string | number | null | undefined): string {
  if (key === null || key === undefined || key === '') return '—'
  return map[String(key)] ?? String(key)
}

/** `[{value, label}]` for el-select options from a code → text map (in map order). */
export function optionsOf(map: Record<string, string>): { value: string; label: string }[] {
  return Object.entries(map).map(([value, label]) => ({ value, label }))
}

// ---- Data aggregation ----

/** GB/T 39046—2020 A.1 事项类型代码. */
export const ITEM_TYPE: Record<string, string> = {
  '00': '行政权力事项',
  '01': '行政许可',
  '02': '行政处罚',
  '03': '行政强制',
  '04': '行政征收',
  '05': '行政给付',
  '06': '行政检查',
  '07': '行政确认',
  '08': '行政奖励',
  '09': '行政裁决',
  '10': '其他类别事项',
  '20': '公共服务事项',
}

/** GB/T 39046—2020 A.6 办件类型代码. */
export const CASE_TYPE: Record<string, string> = { '1': '即办件', '2': '承诺件', '9': '其他' }

/** GB/T 39046—2020 A.2 行使层级代码. */
export const EXERCISE_LEVEL: Record<string, string> = {
  '1': '国家级/局(署、会)',
  '2': '省级/直属',
  '3': '市级/隶属',
  '4': '县级',
  '5': '镇(乡、街道)级',
  '6': '村(社区)级',
  '7': '分级管理',
}

/** GB/T 39046—2020 A.5 办理形式代码. */
export const HANDLING_MODE: Record<string, string> = {
  '1': '窗口办理',
  '2': '电脑端网上办理',
  '3': '移动端网上申请',
  '4': '快递申请',
  '9': '其他',
}

/** GB/T 39046—2020 A.7 特别程序种类代码. */
export const SPECIAL_KIND: Record<string, string> = { '1': '延长审批', '2': '除延长审批之外的情况' }

/** GB/T 39046—2020 A.8 满意度代码 (1 is the best), with tag colours. */
export const SATISFACTION: Record<string, { text: string; type: TagType }> = {
  '1': { text: '非常满意', type: 'success' },
  '2': { text: '满意', type: 'success' },
  '3': { text: '基本满意', type: 'primary' },
  '4': { text: '不满意', type: 'warning' },
  '5': { text: '非常不满意', type: 'danger' },
}

export const LIMIT_UNIT: Record<LimitUnit, string> = { working: '工作日', natural: '自然日' }

/** `20 工作日`; — when there is no limit. */
export function limitText(n: number | null | undefined, unit: string | null | undefined): string {
  if (n === null || n === undefined) return '—'
  return `${n} ${textOf(LIMIT_UNIT, unit)}`
}

export const CHANNEL: Record<Channel, string> = {
  online: '在线导办',
  window: '窗口',
  hotline: '12345',
  wechat: '微信',
  app: '移动端',
  other: '其他',
}

export const APPLICANT_TYPE: Record<ApplicantType, string> = { person: '自然人', org: '法人及其他组织' }

export const CASE_STATUS: Record<CaseStatus, { text: string; type: TagType }> = {
  submitted: { text: '待受理', type: 'info' },
  accepted: { text: '已受理', type: 'primary' },
  rejected: { text: '不予受理', type: 'danger' },
  in_progress: { text: '办理中', type: 'primary' },
  suspended: { text: '暂停计时', type: 'warning' },
  decided: { text: '已决定', type: 'primary' },
  completed: { text: '已办结', type: 'success' },
  withdrawn: { text: '已撤回', type: 'info' },
}

export const CASE_EVENT_KIND: Record<CaseEventKind, { text: string; type: TagType }> = {
  submitted: { text: '提交', type: 'info' },
  accepted: { text: '受理', type: 'primary' },
  rejected: { text: '不予受理', type: 'danger' },
  supplement_start: { text: '补正开始', type: 'warning' },
  supplement_end: { text: '补正结束', type: 'warning' },
  special_start: { text: '特别程序开始', type: 'warning' },
  special_end: { text: '特别程序结束', type: 'warning' },
  decided: { text: '审批决定', type: 'primary' },
  completed: { text: '办结', type: 'success' },
  delivered: { text: '送达', type: 'success' },
  withdrawn: { text: '撤回', type: 'info' },
}

/** Data kinds of intake, import, collection rules and reconciliation. */
export const DATA_KIND: Record<ImportKind, string> = {
  consultations: '咨询数据',
  cases: '办件数据',
  'case-events': '办件过程',
  evaluations: '评价数据',
  items: '事项目录',
}

/** Rejection codes of intake (what the operator should fix). */
export const REJECT_CODE: Record<string, string> = {
  'record.invalid_json': 'JSON 格式错误',
  'record.invalid': '记录结构不合法',
  'field.missing': '缺少必填字段',
  'field.invalid': '字段值不合法',
  'field.unknown': '含未知字段',
  'time.invalid': '时间格式错误',
  'time.future': '时间晚于当前时间',
  'applicant_id.length': '证件号码长度错误',
  'applicant_id.character': '证件号码含非法字符',
  'applicant_id.birth_date': '证件号码出生日期错误',
  'applicant_id.check_character': '证件号码校验位错误',
  'item.unknown': '事项不存在',
  'item.not_in_force': '事项在该时间未生效',
  'region.unknown': '区划不存在',
  'case.unknown': '办件不存在',
  'record.conflict': '同一记录内容冲突（更正须提高 revision）',
  'batch.too_large': '批次过大',
}

// ---- Monitoring and early warning ----

export const STAGE: Record<Stage, string> = {
  consultation: '咨询',
  acceptance: '受理',
  approval: '审批',
  special_procedure: '特别程序',
  immediate: '即办',
}

export const RULE_TYPE: Record<RuleType, string> = { overdue: '超期预警', count: '频次预警', custom: '自定义' }

/** The shipped levels; rules may define others (their own name and colour then). */
export const WARNING_LEVEL: Record<string, { text: string; colour: string }> = {
  yellow: { text: '黄灯', colour: '#E6A23C' },
  red: { text: '红灯', colour: '#F56C6C' },
}

/** Name of a level: the rule's own name when given, else the shipped one, else its key. */
export function levelText(key: string | null | undefined, name?: string | null): string {
  if (name) return name
  if (!key) return '—'
  return WARNING_LEVEL[key]?.text ?? key
}

/** Colour of a level: the rule's own when given, else the shipped one, else grey. */
export function levelColour(key: string | null | undefined, colour?: string | null): string {
  if (colour) return colour
  return (key && WARNING_LEVEL[key]?.colour) || '#909399'
}

export const WARNING_STATUS: Record<WarningStatus, { text: string; type: TagType }> = {
  open: { text: '待处置', type: 'danger' },
  acknowledged: { text: '已确认', type: 'warning' },
  handled: { text: '已处置', type: 'success' },
  false_positive: { text: '误报', type: 'info' },
  closed: { text: '已关闭', type: 'info' },
}

export const WARNING_ACTION: Record<WarningAction, string> = {
  acknowledge: '确认',
  handle: '处置',
  false_positive: '误报',
}

/** Actions of a warning's history (what happened to it). */
export const WARNING_HISTORY_ACTION: Record<string, { text: string; type: TagType }> = {
  raised: { text: '触发预警', type: 'danger' },
  escalated: { text: '升级', type: 'danger' },
  lowered: { text: '降级', type: 'warning' },
  acknowledge: { text: '确认', type: 'warning' },
  acknowledged: { text: '确认', type: 'warning' },
  handle: { text: '处置', type: 'success' },
  handled: { text: '处置', type: 'success' },
  false_positive: { text: '标记误报', type: 'info' },
  close: { text: '关闭', type: 'info' },
  closed: { text: '关闭', type: 'info' },
  reopened: { text: '重新触发', type: 'danger' },
}

export const CONDITION_OP: Record<ConditionOp, string> = {
  eq: '等于',
  ne: '不等于',
  gt: '大于',
  ge: '大于等于',
  lt: '小于',
  le: '小于等于',
  in: '属于',
  not_in: '不属于',
  within: '位于区划内',
}

export const CLOCK_STATUS: Record<ClockStatus, { text: string; type: TagType }> = {
  running: { text: '计时中', type: 'primary' },
  suspended: { text: '暂停计时', type: 'warning' },
  completed: { text: '按时完成', type: 'success' },
  completed_late: { text: '超期完成', type: 'danger' },
  overdue: { text: '已超期', type: 'danger' },
}

export const DELIVERY_STATUS: Record<DeliveryStatus, { text: string; type: TagType }> = {
  pending: { text: '待投递', type: 'warning' },
  delivered: { text: '已投递', type: 'success' },
  failed: { text: '投递失败', type: 'danger' },
}

export const CALENDAR_SOURCE: Record<CalendarSource, { text: string; type: TagType }> = {
  bundled: { text: '内置', type: 'info' },
  edited: { text: '人工维护', type: 'primary' },
  imported: { text: '导入', type: 'success' },
}
