import { describe, expect, it } from 'vitest'
import { MENU, isGroup, menuLeaves, visibleMenu, type MenuEntry } from './menu'

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
})
