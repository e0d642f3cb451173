import type { Region } from '@/api/models'

export interface RegionNode extends Region {
  children: RegionNode[]
}

/**
 * Flat region list → forest. Roots are the regions whose parent is not in the
 * list (the server returns only the caller's subtree, so a district operator's
 * root is the district). Siblings are ordered by code.
 */
export function buildRegionTree(regions: Region[]): RegionNode[] {
  const byCode = new Map<string, RegionNode>()
  for (const r of regions) byCode.set(r.code, { ...r, children: [] })
  const roots: RegionNode[] = []
  for (const node of byCode.values()) {
    const parent = node.parent_code ? byCode.get(node.parent_code) : undefined
    if (parent && parent !== node) parent.children.push(node)
    else roots.push(node)
  }
  const sort = (list: RegionNode[]) => {
    list.sort((a, b) => a.code.localeCompare(b.code))
    for (const n of list) sort(n.children)
  }
  sort(roots)
  return roots
}

const LEVEL_NAMES: Record<number, string> = { 1: '市', 2: '区', 3: '街道/乡镇', 4: '社区/村' }

export function regionLevelName(level: number): string {
  return LEVEL_NAMES[level] ?? `第${level}级`
}
