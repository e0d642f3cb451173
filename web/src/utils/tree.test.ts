import { describe, expect, it } from 'vitest'
import type { Region } from '@/api/models'
import { buildRegionTree, regionLevelName } from './tree'
import { dutiesOf, permissionTree } from './permissions'
import { PALETTE, withChartDefaults } from './chart'

const r = (code: string, name: string, level: 1 | 2 | 3 | 4, parent_code: string | null): Region => ({
  code,
  name,
  level,
  parent_code,
})

describe('buildRegionTree', () => {
  it('nests by parent_code and sorts siblings by code', () => {
    const tree = buildRegionTree([
      r('110108', '海淀区', 2, '110000'),
      r('110000', '北京市', 1, null),
      r('110105', '朝阳区', 2, '110000'),
      r('110105001', '建外街道', 3, '110105'),
    ])
    expect(tree).toHaveLength(1)
    expect(tree[0]!.name).toBe('北京市')
    expect(tree[0]!.children.map((c) => c.name)).toEqual(['朝阳区', '海淀区'])
    expect(tree[0]!.children[0]!.children.map((c) => c.code)).toEqual(['110105001'])
  })

  it("makes the caller's subtree root a root (parent not visible)", () => {
    const tree = buildRegionTree([r('110105001', '建外街道', 3, '110105'), r('110105', '朝阳区', 2, '110000')])
    expect(tree.map((n) => n.name)).toEqual(['朝阳区'])
    expect(tree[0]!.children[0]!.name).toBe('建外街道')
  })

  it('names levels', () => {
    expect(regionLevelName(2)).toBe('区')
    expect(regionLevelName(4)).toBe('社区/村')
  })
})

describe('permissionTree', () => {
  const perms = [
    { code: 'user:read', name: '查看用户', module: '用户管理', admin_duty: 'system' as const },
    { code: 'audit:read', name: '查看审计', module: '安全审计', admin_duty: 'audit' as const },
    { code: 'user:write', name: '管理用户', module: '用户管理', admin_duty: 'system' as const },
    { code: 'org:read', name: '查看组织', module: '', admin_duty: null },
  ]

  it('groups permissions by module in first-seen order', () => {
    const tree = permissionTree(perms)
    expect(tree.map((g) => g.label)).toEqual(['用户管理', '安全审计', '其他'])
    expect(tree[0]!.children!.map((c) => c.id)).toEqual(['user:read', 'user:write'])
  })

  it('lists the admin duties of a selection', () => {
    expect(dutiesOf(['user:read', 'user:write'], perms)).toEqual(['system'])
    expect(dutiesOf(['user:read', 'audit:read', 'org:read'], perms).sort()).toEqual(['audit', 'system'])
  })
})

describe('withChartDefaults', () => {
  it('adds palette, 导出图片 and number tooltips without overriding the caller', () => {
    const opt = withChartDefaults({ series: [], toolbox: { feature: { dataView: {} } } }, 'x')
    expect(opt.color).toBe(PALETTE)
    const toolbox = opt.toolbox as { feature: Record<string, { title?: string; name?: string }> }
    expect(toolbox.feature.saveAsImage!.title).toBe('导出图片')
    expect(toolbox.feature.saveAsImage!.name).toBe('x')
    expect(toolbox.feature.dataView).toEqual({})
    const fmt = (opt.tooltip as { valueFormatter: (v: unknown) => string }).valueFormatter
    expect(fmt(1234567)).toBe('1,234,567')
    expect(withChartDefaults({ color: ['#000'] }).color).toEqual(['#000'])
  })
})
