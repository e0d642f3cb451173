import { describe, expect, it } from 'vitest'
import { DETAIL_PAGES, MENU, homePath, isGroup, menuLeaves, visibleMenu, type MenuEntry } from './menu'

const titles = (menu: MenuEntry[]) =>
  menu.flatMap((e) => (isGroup(e) ? [e.title, ...e.children.map((c) => `${e.title}/${c.title}`)] : [e.title]))

describe('menu', () => {
  it('has the fixed top-level entries in order', () => {
    expect(MENU.map((e) => e.title)).toEqual([
      '首页看板',
      '数据汇聚',
      '监测预警',
      '质效评价',
      '工单管理',
      '数据质检',
      '情形引导',
      '系统管理',
      '安全审计',
    ])
  })

  it('hides entries the user lacks permission for, and empty groups', () => {
    const perms = new Set(['org:read'])
    const shown = titles(visibleMenu(MENU, (p) => !p || perms.has(p)))
    expect(shown).toContain('系统管理/部门管理')
    expect(shown).toContain('系统管理/区划管理')
    expect(shown).toContain('系统管理/工作日历')
    expect(shown).not.toContain('系统管理/用户管理')
    expect(shown).not.toContain('系统管理/角色管理')
    expect(shown).not.toContain('系统管理/接口令牌')
    expect(shown).not.toContain('系统管理/安全策略')
    expect(shown).not.toContain('安全审计') // its only child needs audit:read
  })

  it('shows permission-guarded entries when the permission is held', () => {
    const perms = new Set(['user:read', 'role:read', 'policy:read', 'token:manage', 'audit:read'])
    const shown = titles(visibleMenu(MENU, (p) => !p || perms.has(p)))
    for (const t of ['用户管理', '角色管理', '安全策略', '接口令牌']) expect(shown).toContain(`系统管理/${t}`)
    expect(shown).toContain('安全审计/审计日志')
    expect(shown).not.toContain('系统管理/部门管理')
  })

  it('every page not built yet names its SPEC ids, and paths are unique', () => {
    const leaves = menuLeaves()
    for (const { leaf } of leaves) {
      if (!leaf.component) expect(leaf.spec, leaf.title).toMatch(/[A-Z]+-\d/)
    }
    const paths = leaves.map((l) => l.leaf.path)
    expect(new Set(paths).size).toBe(paths.length)
  })

  it('shows 数据汇聚 pages by item:read / data:read, 关联分析 after 咨询数据', () => {
    const group = MENU.find((e) => isGroup(e) && e.key === 'aggregation')
    expect(group && isGroup(group) && group.children.map((c) => c.title)).toEqual([
      '事项目录',
      '咨询数据',
      '关联分析',
      '办件数据',
      '评价数据',
      '汇聚规则',
      '对账统计',
    ])
    const only = (perms: string[]) => titles(visibleMenu(MENU, (p) => !p || perms.includes(p)))
    expect(only(['item:read'])).toContain('数据汇聚/事项目录')
    expect(only(['item:read'])).not.toContain('数据汇聚/办件数据')
    const data = only(['data:read'])
    for (const t of ['咨询数据', '关联分析', '办件数据', '评价数据', '汇聚规则', '对账统计']) expect(data).toContain(`数据汇聚/${t}`)
    expect(data).not.toContain('数据汇聚/事项目录')
    expect(only([])).not.toContain('数据汇聚')
  })

  it('shows 监测预警 pages by warning:read, 规则仿真 by rule:write, 工作日历 by org:read', () => {
    const group = MENU.find((e) => isGroup(e) && e.key === 'monitor')
    expect(group && isGroup(group) && group.children.map((c) => c.title)).toEqual(['预警信息', '预警规则', '规则仿真', '消息中心'])
    expect(group && isGroup(group) && group.children.every((c) => c.component && c.path.startsWith('/monitoring/'))).toBe(true)
    const only = (perms: string[]) => titles(visibleMenu(MENU, (p) => !p || perms.includes(p)))
    const reader = only(['warning:read'])
    for (const t of ['预警信息', '预警规则', '消息中心']) expect(reader).toContain(`监测预警/${t}`)
    expect(reader).not.toContain('监测预警/规则仿真')
    expect(only(['rule:write']).filter((t) => t.startsWith('监测预警'))).toEqual(['监测预警', '监测预警/规则仿真'])
    expect(only(['org:read'])).toContain('系统管理/工作日历')
    expect(only([])).not.toContain('系统管理/工作日历')
  })

  it('creating a rule needs rule:write; viewing rules and warnings warning:read', () => {
    const perm = (name: string) => {
      const d = DETAIL_PAGES.find((p) => p.name === name)!
      return d.permission ?? menuLeaves().find((l) => l.leaf.name === d.parent)!.leaf.permission
    }
    expect(perm('mon-rule-new')).toBe('rule:write')
    expect(perm('mon-rule')).toBe('warning:read')
    expect(perm('mon-warning')).toBe('warning:read')
  })

  it('detail pages belong to a menu page', () => {
    const names = new Set(menuLeaves().map((l) => l.leaf.name))
    for (const d of DETAIL_PAGES) expect(names.has(d.parent), d.name).toBe(true)
  })
})

describe('home page per role (issue 16 item 4)', () => {
  const can = (perms: string[]) => (p?: string) => !p || perms.includes(p)
  it('is the dashboard for users who may read data', () => {
    expect(homePath(can(['data:read', 'audit:read']))).toBe('/')
  })
  it('is 审计日志 for the audit admin', () => {
    expect(homePath(can(['audit:read', 'audit:export']))).toBe('/audit')
  })
  it('skips pages under construction', () => {
    expect(homePath(can(['org:read']))).toBe('/system/departments')
    expect(homePath(can([]))).toBeNull()
  })
})
