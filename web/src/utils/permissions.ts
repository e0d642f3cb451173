import type { AdminDuty, Permission } from '@/api/models'

export interface PermissionTreeNode {
  id: string
  label: string
  duty: AdminDuty | null
  children?: PermissionTreeNode[]
}

/** Module key prefix used for group nodes (never a permission code). */
export const MODULE_PREFIX = 'module:'

/** Permissions grouped by module, modules in first-seen order. */
export function permissionTree(perms: Permission[]): PermissionTreeNode[] {
  const groups = new Map<string, PermissionTreeNode>()
  for (const p of perms) {
    const module = p.module || '其他'
    let g = groups.get(module)
    if (!g) {
      g = { id: MODULE_PREFIX + module, label: module, duty: null, children: [] }
      groups.set(module, g)
    }
    g.children!.push({ id: p.code, label: p.name || p.code, duty: p.admin_duty ?? null })
  }
  return [...groups.values()]
}

/** Admin duties (三员) the given permissions belong to. */
export function dutiesOf(codes: string[], perms: Permission[]): AdminDuty[] {
  const set = new Set(codes)
  const duties = new Set<AdminDuty>()
  for (const p of perms) if (p.admin_duty && set.has(p.code)) duties.add(p.admin_duty)
  return [...duties]
}
