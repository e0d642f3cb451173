// Shapes of the govpulse HTTP API (docs/api.md). Keep in sync with the server.

export interface Page<T> {
  total: number
  items: T[]
}

export type ScopeKind = 'city' | 'region' | 'department'

export interface Scope {
  kind: ScopeKind
  region_code: string | null
  department_code: string | null
}

export interface LoginAnswer {
  username: string
  must_change_password: boolean
  csrf_token: string
}

export interface Me {
  username: string
  display_name: string
  roles: string[]
  role_names: string[]
  permissions: string[]
  scope: Scope
  region_name: string | null
  department_name: string | null
  must_change_password: boolean
  totp_enabled: boolean
  csrf_token: string
}

export interface Region {
  code: string
  name: string
  level: 1 | 2 | 3 | 4
  parent_code: string | null
}

export type DepartmentLevel = 'city' | 'district'

export interface Department {
  code: string
  name: string
  level: DepartmentLevel
  region_code: string
  region_name: string
  user_count: number
}

export type UserStatus = 'active' | 'locked' | 'disabled'

export interface User {
  id: number | string
  username: string
  display_name: string
  roles: string[]
  scope: Scope
  region_name: string | null
  department_name: string | null
  status: UserStatus
  /** Set while the account is locked after failed logins. */
  locked_until?: string | null
  must_change_password: boolean
  totp_enabled: boolean
  last_login_at: string | null
  created_at: string
}

export interface UserCreate {
  username: string
  display_name: string
  password: string
  roles: string[]
  scope: Scope
}

export interface UserUpdate {
  display_name: string
  roles: string[]
  scope: Scope
  disabled: boolean
}

export type AdminDuty = 'system' | 'security' | 'audit'

export interface Role {
  code: string
  name: string
  description: string
  admin_duty: AdminDuty | null
  builtin: boolean
  permissions: string[]
  user_count: number
}

export interface Permission {
  code: string
  name: string
  module: string
  admin_duty: AdminDuty | null
}

export interface SecurityPolicy {
  password_min_length: number
  lockout_threshold: number
  lockout_minutes: number
  idle_timeout_minutes: number
}

export interface ApiToken {
  id: number | string
  name: string
  scope: string
  created_at: string
  created_by: string
  last_used_at: string | null
  revoked_at: string | null
}

export interface ApiTokenCreated {
  id: number | string
  name: string
  scope: string
  token: string
}

export type AuditResult = 'success' | 'failure' | 'denied'

export interface AuditEntry {
  seq: number
  at: string
  actor: string
  ip: string | null
  action: string
  object_type: string | null
  object_id: string | null
  result: AuditResult
  details: unknown
  hash: string
}

export interface AuditVerify {
  ok: boolean
  checked: number
  first_broken: { seq: number; reason: string } | null
}
