// Chinese labels and tag colours for enumerations of the API.
import type { AdminDuty, AuditResult, DepartmentLevel, Scope, ScopeKind, UserStatus } from '@/api/types'

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
