// Warning-rule conditions as the visual editor holds them, and the pure
// conversions to and from the API's JSON (`{all:[…]}` / `{any:[…]}` /
// `{not: node}` / `{field, op, value, window_days}`). Business users edit
// groups and leaves; nobody types JSON.
//
// Model: every node has a `uid` (stable v-for key, target of error messages).
// A group carries its mode (all / any) and a NOT flag; a leaf is one test.
// `wrapped` marks a group the editor introduced around a single node (a bare
// leaf at the root, or the operand of a `{not: …}` that is not itself a plain
// group): with exactly one child it serialises back to that child, so every
// API shape survives a round trip unchanged.
import type { ConditionLeaf, ConditionNode, ConditionOp, ConditionScalar, ConditionValue, RuleField, Stage } from '@/api/models'

export type GroupMode = 'all' | 'any'

export interface LeafModel {
  kind: 'leaf'
  uid: string
  field: string
  op: ConditionOp | ''
  value: ConditionValue
  windowDays: number | null
}

export interface GroupModel {
  kind: 'group'
  uid: string
  mode: GroupMode
  negate: boolean
  wrapped: boolean
  children: NodeModel[]
}

export type NodeModel = LeafModel | GroupModel

let counter = 0
const nextUid = () => `n${++counter}`

export function newLeaf(): LeafModel {
  return { kind: 'leaf', uid: nextUid(), field: '', op: '', value: null, windowDays: null }
}

export function newGroup(mode: GroupMode = 'all', children: NodeModel[] = []): GroupModel {
  return { kind: 'group', uid: nextUid(), mode, negate: false, wrapped: false, children }
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v)

/** One API node → model (unknown shapes become an empty leaf the validation then flags). */
export function nodeFromApi(node: unknown): NodeModel {
  if (!isObj(node)) return newLeaf()
  if (Array.isArray(node.all)) return newGroup('all', node.all.map(nodeFromApi))
  if (Array.isArray(node.any)) return newGroup('any', node.any.map(nodeFromApi))
  if ('not' in node) {
    const inner = nodeFromApi(node.not)
    if (inner.kind === 'group' && !inner.negate && !inner.wrapped) {
      inner.negate = true
      return inner
    }
    return { ...newGroup('all', [inner]), negate: true, wrapped: true }
  }
  const leaf = newLeaf()
  leaf.field = typeof node.field === 'string' ? node.field : ''
  leaf.op = typeof node.op === 'string' ? (node.op as ConditionOp) : ''
  leaf.value = node.value === undefined ? null : (node.value as ConditionValue)
  leaf.windowDays = typeof node.window_days === 'number' ? node.window_days : null
  return leaf
}

/** A rule's (or level's) condition → the editor's root group. */
export function conditionFromApi(node: ConditionNode | null | undefined): GroupModel {
  if (!node) return newGroup()
  const n = nodeFromApi(node)
  return n.kind === 'group' ? n : { ...newGroup('all', [n]), wrapped: true }
}

/** Model → API JSON. */
export function conditionToApi(n: NodeModel): ConditionNode {
  if (n.kind === 'leaf') {
    const leaf: ConditionLeaf = { field: n.field, op: n.op as ConditionOp, value: n.value }
    if (n.windowDays !== null) leaf.window_days = n.windowDays
    return leaf
  }
  const inner: ConditionNode =
    n.wrapped && n.children.length === 1
      ? conditionToApi(n.children[0]!)
      : n.mode === 'all'
        ? { all: n.children.map(conditionToApi) }
        : { any: n.children.map(conditionToApi) }
  return n.negate ? { not: inner } : inner
}

/** A deep copy with fresh uids (copying a level, loading a version). */
export function cloneCondition(root: GroupModel): GroupModel {
  return conditionFromApi(conditionToApi(root))
}

/**
 * Visit every node with its API path (`condition.all[1]`, `levels[0].condition.not.any[0]`):
 * the paths the server's `rule.invalid` details use.
 */
export function walkConditions(root: GroupModel, base: string, visit: (node: NodeModel, path: string) => void): void {
  const walk = (n: NodeModel, path: string) => {
    visit(n, path)
    if (n.kind === 'leaf') return
    const inner = n.negate ? `${path}.not` : path
    if (n.wrapped && n.children.length === 1) {
      walk(n.children[0]!, inner)
      return
    }
    if (inner !== path) visit(n, inner)
    n.children.forEach((c, i) => walk(c, `${inner}.${n.mode}[${i}]`))
  }
  walk(root, base)
}

/** API path → uid of the node at that path (the innermost node when several share one). */
export function conditionPathIndex(root: GroupModel, base: string): Map<string, string> {
  const index = new Map<string, string>()
  walkConditions(root, base, (n, p) => index.set(p, n.uid))
  return index
}

/** `a.b[2].c` → `a.b[2]` → `a.b` → `a` → ''. */
export function parentPath(path: string): string {
  const m = /(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])$/.exec(path)
  return m ? path.slice(0, m.index) : ''
}

/** The uid of the node an error path points into, if any. */
export function locateNode(path: string, index: Map<string, string>): string | undefined {
  for (let p = path; p; p = parentPath(p)) {
    const uid = index.get(p)
    if (uid) return uid
  }
  return undefined
}

// ---- Leaf values ----

export const isMultiOp = (op: ConditionOp | '') => op === 'in' || op === 'not_in'

/** The fields that apply to a stage (a field naming no stages applies to all). */
export function fieldsForStage(fields: RuleField[], stage: Stage): RuleField[] {
  return fields.filter((f) => !f.stages?.length || f.stages.includes(stage))
}

/** An empty value of the right shape for the field and operator. */
export function defaultValue(field: RuleField | undefined, op: ConditionOp | ''): ConditionValue {
  if (isMultiOp(op)) return []
  switch (field?.kind) {
    case 'bool':
      return true
    case 'number':
      return null
    default:
      return ''
  }
}

/** Keep what can be kept when the operator switches between one value and a list. */
export function coerceValue(value: ConditionValue, field: RuleField | undefined, op: ConditionOp | ''): ConditionValue {
  if (isMultiOp(op)) {
    if (Array.isArray(value)) return value
    return value === null || value === '' || typeof value === 'boolean' ? [] : [value]
  }
  if (Array.isArray(value)) return value.length ? value[0]! : defaultValue(field, op)
  return value
}

/** Point a leaf at another field: its first operator, an empty value, a 30-day window when windowed. */
export function setLeafField(leaf: LeafModel, field: RuleField | undefined): void {
  leaf.field = field?.key ?? ''
  leaf.op = field?.ops[0] ?? ''
  leaf.value = defaultValue(field, leaf.op)
  leaf.windowDays = field?.window ? 30 : null
}

export function setLeafOp(leaf: LeafModel, field: RuleField | undefined, op: ConditionOp | ''): void {
  leaf.op = op
  leaf.value = coerceValue(leaf.value, field, op)
}

const blank = (v: ConditionScalar) => v === '' || (typeof v === 'number' && Number.isNaN(v))

/** Why a leaf's value does not fit its field and operator (Chinese), or ''. */
export function valueProblem(field: RuleField, op: ConditionOp, value: ConditionValue): string {
  if (isMultiOp(op)) {
    if (!Array.isArray(value) || !value.length) return '请至少选择或填写一个值'
    if (value.some(blank)) return '值不能为空'
    if (field.kind === 'number' && value.some((v) => typeof v !== 'number')) return '请填写数字'
    return ''
  }
  if (value === null || Array.isArray(value) || blank(value)) return field.kind === 'bool' ? '请选择是或否' : '请填写值'
  if (field.kind === 'number' && typeof value !== 'number') return '请填写数字'
  if (field.kind === 'bool' && typeof value !== 'boolean') return '请选择是或否'
  if (field.kind === 'enum' && field.options?.length && !field.options.some((o) => o.value === value)) return '请选择一个选项'
  return ''
}

export interface Problem {
  /** API path (`levels[0].condition.all[1].value`) or a form field (`code`). */
  path: string
  message: string
}

/** Client-side checks of a condition tree, reported at the server's paths. */
export function conditionProblems(root: GroupModel, base: string, fields: RuleField[]): Problem[] {
  const byKey = new Map(fields.map((f) => [f.key, f]))
  const out: Problem[] = []
  const seen = new Set<string>() // a negated group is visited at `p` and `p.not`
  walkConditions(root, base, (n, path) => {
    if (n.kind === 'group') {
      if (!n.children.length && !seen.has(n.uid)) {
        if (n !== root) out.push({ path, message: '条件组为空，请添加条件或删除该组' })
        else if (n.mode === 'any') out.push({ path, message: '“任一满足”组至少需要一个条件' })
      }
      seen.add(n.uid)
      return
    }
    if (!n.field) return void out.push({ path: `${path}.field`, message: '请选择字段' })
    const field = byKey.get(n.field)
    if (!field) return void out.push({ path: `${path}.field`, message: `字段“${n.field}”不适用于所选环节` })
    if (!n.op || !field.ops.includes(n.op)) return void out.push({ path: `${path}.op`, message: '请选择运算符' })
    const v = valueProblem(field, n.op, n.value)
    if (v) out.push({ path: `${path}.value`, message: v })
    if (field.window && (n.windowDays === null || !Number.isInteger(n.windowDays) || n.windowDays < 1)) {
      out.push({ path: `${path}.window_days`, message: '请填写统计天数（正整数）' })
    }
  })
  return out
}

/** Number of leaves (for summaries such as “3 个条件”). */
export function leafCount(root: GroupModel): number {
  let n = 0
  walkConditions(root, '', (node) => {
    if (node.kind === 'leaf') n++
  })
  return n
}
