import { describe, expect, it } from 'vitest'
import type { ConditionNode, RuleField } from '@/api/models'
import {
  cloneCondition,
  coerceValue,
  conditionFromApi,
  conditionPathIndex,
  conditionProblems,
  conditionToApi,
  fieldsForStage,
  leafCount,
  locateNode,
  newGroup,
  newLeaf,
  parentPath,
  setLeafField,
  setLeafOp,
  type GroupModel,
  type NodeModel,
} from './condition'

const FIELDS: RuleField[] = [
  { key: 'used_percent', label: '已用比例', kind: 'number', ops: ['ge', 'gt', 'lt', 'le', 'eq'], options: [], window: false, stages: ['acceptance', 'approval'] },
  { key: 'overdue', label: '已超期', kind: 'bool', ops: ['eq'], options: [], window: false, stages: [] },
  {
    key: 'channel',
    label: '申请渠道',
    kind: 'enum',
    ops: ['eq', 'ne', 'in', 'not_in'],
    options: [
      { value: 'online', label: '在线导办' },
      { value: 'window', label: '窗口' },
    ],
    window: false,
    stages: [],
  },
  { key: 'region', label: '区划', kind: 'region', ops: ['within', 'in', 'eq'], options: [], window: false, stages: [] },
  { key: 'rejections_in_window', label: '窗口期内不予受理次数', kind: 'number', ops: ['ge'], options: [], window: true, stages: ['acceptance'] },
]

/** The model without uids (they are fresh on every conversion). */
function shape(n: NodeModel): unknown {
  if (n.kind === 'leaf') return { field: n.field, op: n.op, value: n.value, windowDays: n.windowDays }
  return { mode: n.mode, negate: n.negate, wrapped: n.wrapped, children: n.children.map(shape) }
}

const roundTrip = (node: ConditionNode) => conditionToApi(conditionFromApi(node))

describe('condition tree ⇄ API JSON', () => {
  const samples: [string, ConditionNode][] = [
    ['empty all (every case)', { all: [] }],
    ['empty any', { any: [] }],
    ['bare leaf at the root', { field: 'overdue', op: 'eq', value: true }],
    ['all of leaves', { all: [{ field: 'used_percent', op: 'ge', value: 80 }, { field: 'channel', op: 'in', value: ['online', 'window'] }] }],
    ['windowed count', { all: [{ field: 'rejections_in_window', op: 'ge', value: 3, window_days: 30 }] }],
    ['not of a leaf', { not: { field: 'region', op: 'within', value: '110105' } }],
    ['not of an any group', { not: { any: [{ field: 'overdue', op: 'eq', value: true }] } }],
    ['not of not', { not: { not: { all: [{ field: 'overdue', op: 'eq', value: false }] } } }],
    ['not of a multi-child all', { not: { all: [{ field: 'overdue', op: 'eq', value: true }, { field: 'channel', op: 'eq', value: 'window' }] } }],
    [
      'nested groups',
      {
        any: [
          { all: [{ field: 'used_percent', op: 'ge', value: 80 }, { not: { field: 'channel', op: 'eq', value: 'online' } }] },
          { all: [] },
          { field: 'overdue', op: 'eq', value: true },
        ],
      },
    ],
  ]

  for (const [name, node] of samples) {
    it(`round-trips ${name} unchanged`, () => {
      expect(roundTrip(node)).toEqual(node)
    })
  }

  it('tells not-of-a-leaf from not-of-a-one-child-all', () => {
    const leaf = { field: 'overdue', op: 'eq' as const, value: true }
    expect(roundTrip({ not: { all: [leaf] } })).toEqual({ not: { all: [leaf] } })
    expect(roundTrip({ not: leaf })).toEqual({ not: leaf })
  })

  it('wraps a bare root leaf in a group the editor can add to', () => {
    const root = conditionFromApi({ field: 'overdue', op: 'eq', value: true })
    expect(shape(root)).toEqual({
      mode: 'all',
      negate: false,
      wrapped: true,
      children: [{ field: 'overdue', op: 'eq', value: true, windowDays: null }],
    })
    root.children.push({ ...newLeaf(), field: 'channel', op: 'eq', value: 'window' })
    expect(conditionToApi(root)).toEqual({
      all: [
        { field: 'overdue', op: 'eq', value: true },
        { field: 'channel', op: 'eq', value: 'window' },
      ],
    })
  })

  it('shows NOT as a flag on a group, wrapping leaves and negated groups', () => {
    const notLeaf = conditionFromApi({ not: { field: 'overdue', op: 'eq', value: true } })
    expect(shape(notLeaf)).toMatchObject({ negate: true, wrapped: true, children: [{ field: 'overdue' }] })
    const notGroup = conditionFromApi({ not: { any: [] } })
    expect(shape(notGroup)).toEqual({ mode: 'any', negate: true, wrapped: false, children: [] })
    const doubled = conditionFromApi({ not: { not: { any: [] } } })
    expect(shape(doubled)).toEqual({
      mode: 'all',
      negate: true,
      wrapped: true,
      children: [{ mode: 'any', negate: true, wrapped: false, children: [] }],
    })
  })

  it('negating a group in the editor wraps it in not', () => {
    const root = newGroup('any', [{ ...newLeaf(), field: 'overdue', op: 'eq', value: true }])
    root.negate = true
    expect(conditionToApi(root)).toEqual({ not: { any: [{ field: 'overdue', op: 'eq', value: true }] } })
  })

  it('treats a missing condition as an empty all and an empty model as {all: []}', () => {
    expect(conditionToApi(conditionFromApi(null))).toEqual({ all: [] })
    expect(conditionToApi(conditionFromApi(undefined))).toEqual({ all: [] })
    expect(conditionToApi(newGroup())).toEqual({ all: [] })
  })

  it('model → API → model keeps the tree (uids aside) and clones get fresh uids', () => {
    const root: GroupModel = newGroup('all', [
      { ...newLeaf(), field: 'used_percent', op: 'ge', value: 90 },
      { ...newGroup('any', [{ ...newLeaf(), field: 'channel', op: 'in', value: ['window'] }]), negate: true },
    ])
    const back = conditionFromApi(conditionToApi(root))
    expect(shape(back)).toEqual(shape(root))
    const copy = cloneCondition(root)
    expect(shape(copy)).toEqual(shape(root))
    expect(copy.uid).not.toBe(root.uid)
    expect(leafCount(root)).toBe(2)
  })

  it('turns unknown shapes into an empty leaf the checks flag', () => {
    const root = conditionFromApi({ all: [42 as unknown as ConditionNode] })
    expect(conditionProblems(root, 'condition', FIELDS)).toEqual([{ path: 'condition.all[0].field', message: '请选择字段' }])
  })
})

describe('condition paths', () => {
  it('index every node at the path the server reports', () => {
    const root = conditionFromApi({
      all: [{ field: 'overdue', op: 'eq', value: true }, { not: { any: [{ field: 'channel', op: 'eq', value: 'x' }] } }],
    })
    const index = conditionPathIndex(root, 'levels[1].condition')
    const leaf0 = root.children[0]!
    const neg = root.children[1] as GroupModel
    expect(index.get('levels[1].condition')).toBe(root.uid)
    expect(index.get('levels[1].condition.all[0]')).toBe(leaf0.uid)
    expect(index.get('levels[1].condition.all[1]')).toBe(neg.uid)
    expect(index.get('levels[1].condition.all[1].not')).toBe(neg.uid)
    expect(index.get('levels[1].condition.all[1].not.any[0]')).toBe(neg.children[0]!.uid)
    expect(locateNode('levels[1].condition.all[0].value', index)).toBe(leaf0.uid)
    expect(locateNode('levels[1].name', index)).toBeUndefined()
  })

  it('a wrapped root leaf answers for the root path itself', () => {
    const root = conditionFromApi({ field: 'overdue', op: 'eq', value: 1 })
    const index = conditionPathIndex(root, 'condition')
    expect(locateNode('condition.value', index)).toBe(root.children[0]!.uid)
  })

  it('parent paths strip one segment at a time', () => {
    expect(parentPath('levels[0].condition.all[1].value')).toBe('levels[0].condition.all[1]')
    expect(parentPath('levels[0].condition.all[1]')).toBe('levels[0].condition.all')
    expect(parentPath('levels[0]')).toBe('levels')
    expect(parentPath('code')).toBe('')
  })
})

describe('leaf editing', () => {
  const byKey = (k: string) => FIELDS.find((f) => f.key === k)

  it('choosing a field resets operator, value and window', () => {
    const leaf = newLeaf()
    setLeafField(leaf, byKey('used_percent'))
    expect([leaf.op, leaf.value, leaf.windowDays]).toEqual(['ge', null, null])
    setLeafField(leaf, byKey('overdue'))
    expect([leaf.op, leaf.value]).toEqual(['eq', true])
    setLeafField(leaf, byKey('rejections_in_window'))
    expect(leaf.windowDays).toBe(30)
  })

  it('keeps the value when switching between one value and a list', () => {
    const leaf = newLeaf()
    const channel = byKey('channel')
    setLeafField(leaf, channel)
    leaf.value = 'window'
    setLeafOp(leaf, channel, 'in')
    expect(leaf.value).toEqual(['window'])
    leaf.value = ['online', 'window']
    setLeafOp(leaf, channel, 'ne')
    expect(leaf.value).toBe('online')
    expect(coerceValue([], channel, 'eq')).toBe('')
    expect(coerceValue(true, byKey('overdue'), 'in')).toEqual([])
  })

  it('filters fields by stage (no stages = every stage)', () => {
    expect(fieldsForStage(FIELDS, 'consultation').map((f) => f.key)).toEqual(['overdue', 'channel', 'region'])
    expect(fieldsForStage(FIELDS, 'acceptance').map((f) => f.key)).toContain('rejections_in_window')
  })

  it('checks values against the field kind and operator', () => {
    const root = conditionFromApi({
      all: [
        { field: 'used_percent', op: 'ge', value: null },
        { field: 'channel', op: 'in', value: [] },
        { field: 'channel', op: 'eq', value: 'fax' },
        { field: 'rejections_in_window', op: 'ge', value: 2 },
        { field: 'used_percent', op: 'within', value: 1 },
        { field: 'region', op: 'within', value: '110105' },
        { any: [] },
      ],
    })
    expect(conditionProblems(root, 'condition', FIELDS)).toEqual([
      { path: 'condition.all[0].value', message: '请填写值' },
      { path: 'condition.all[1].value', message: '请至少选择或填写一个值' },
      { path: 'condition.all[2].value', message: '请选择一个选项' },
      { path: 'condition.all[3].window_days', message: '请填写统计天数（正整数）' },
      { path: 'condition.all[4].op', message: '请选择运算符' },
      { path: 'condition.all[6]', message: '条件组为空，请添加条件或删除该组' },
    ])
  })

  it('requires a condition in a root any group, not in a root all group', () => {
    expect(conditionProblems(conditionFromApi({ any: [] }), 'condition', FIELDS)).toEqual([
      { path: 'condition', message: '“任一满足”组至少需要一个条件' },
    ])
    expect(conditionProblems(conditionFromApi({ all: [] }), 'condition', FIELDS)).toEqual([])
  })

  it('flags fields that do not apply to the stage', () => {
    const root = conditionFromApi({ all: [{ field: 'used_percent', op: 'ge', value: 80 }] })
    expect(conditionProblems(root, 'condition', fieldsForStage(FIELDS, 'consultation'))).toEqual([
      { path: 'condition.all[0].field', message: '字段“used_percent”不适用于所选环节' },
    ])
  })
})
