// Mounted checks of the rule editor's pieces: they render every node, edit the
// model in place, and raise no Vue warnings.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import ElementPlus from 'element-plus'
import type { RuleField, StageClock, WarningRule } from '@/api/models'
import ConditionTree from './ConditionTree.vue'
import CaseClocksPanel from './CaseClocksPanel.vue'
import RuleDefinitionForm from './RuleDefinitionForm.vue'
import { conditionFromApi, conditionToApi, type GroupModel } from './condition'
import { ruleToForm } from './ruleForm'

const FIELDS: RuleField[] = [
  { key: 'used_percent', label: '时限已用比例(%)', kind: 'number', ops: ['ge', 'lt'], options: [], window: false, stages: ['approval'] },
  { key: 'overdue', label: '已超期', kind: 'bool', ops: ['eq', 'ne'], options: [], window: false, stages: ['approval'] },
  {
    key: 'channel',
    label: '渠道',
    kind: 'enum',
    ops: ['eq', 'in'],
    options: [
      { value: 'online', label: '网上办理' },
      { value: 'window', label: '窗口' },
    ],
    window: false,
    stages: ['approval'],
  },
  { key: 'region', label: '区划', kind: 'region', ops: ['within', 'in'], options: [], window: false, stages: ['approval'] },
  { key: 'applications_in_window', label: '申请次数', kind: 'number', ops: ['ge'], options: [], window: true, stages: ['approval'] },
]

const warnings: string[] = []

function plugins() {
  const pinia = createPinia()
  setActivePinia(pinia)
  const page = { template: '<p />' }
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/cases/:caseCode', name: 'agg-case', component: page },
      { path: '/warnings/:id', name: 'mon-warning', component: page },
      { path: '/:p(.*)*', component: page },
    ],
  })
  return { plugins: [pinia, router, ElementPlus], config: { warnHandler: (msg: string) => void warnings.push(msg) } }
}

beforeEach(() => {
  warnings.length = 0
  vi.stubGlobal('fetch', vi.fn(async () => new Response('[]', { status: 200, headers: { 'Content-Type': 'application/json' } })))
})
afterEach(() => {
  vi.unstubAllGlobals()
  expect(warnings).toEqual([])
})

describe('ConditionTree', () => {
  const tree = () =>
    conditionFromApi({
      all: [
        { field: 'used_percent', op: 'ge', value: 80 },
        { not: { any: [{ field: 'channel', op: 'in', value: ['online'] }, { field: 'region', op: 'within', value: '110105' }] } },
        { field: 'applications_in_window', op: 'ge', value: 3, window_days: 30 },
      ],
    })

  it('renders groups and leaves with their controls', async () => {
    const node = tree()
    const w = mount(ConditionTree, { props: { node, fields: FIELDS, root: true }, global: plugins() })
    await flushPromises()
    expect(w.findAll('[data-testid="condition-group"]')).toHaveLength(2)
    expect(w.findAll('[data-testid="condition-leaf"]')).toHaveLength(4)
    expect(w.findAll('[data-testid="condition-window"]')).toHaveLength(1)
    expect(w.text()).toContain('非')
    expect(w.text()).toContain('且')
    expect(w.text()).toContain('或')
    // the root has no 删除; the nested group has
    expect(w.findAll('[data-testid="condition-remove-group"]')).toHaveLength(1)
  })

  it('adds conditions and groups, removes them, and toggles NOT in the model', async () => {
    const node: GroupModel = conditionFromApi({ all: [] })
    const w = mount(ConditionTree, { props: { node, fields: FIELDS, root: true }, global: plugins() })
    expect(w.text()).toContain('未设置条件')
    await w.find('[data-testid="condition-add-leaf"]').trigger('click')
    await w.find('[data-testid="condition-add-group"]').trigger('click')
    expect(node.children.map((c) => c.kind)).toEqual(['leaf', 'group'])
    await w.findAll('[data-testid="condition-not"] input')[1]!.setValue(true)
    expect((node.children[1] as GroupModel).negate).toBe(true)
    expect(conditionToApi(node)).toEqual({ all: [{ field: '', op: '', value: null }, { not: { all: [] } }] })
    await w.find('[data-testid="condition-remove-group"]').trigger('click')
    await w.find('[data-testid="condition-remove"]').trigger('click')
    expect(node.children).toEqual([])
  })

  it('read-only shows no editing buttons and errors appear at their node', async () => {
    const node = tree()
    const leaf = node.children[0]!
    const w = mount(ConditionTree, {
      props: { node, fields: FIELDS, root: true, disabled: true, errors: { [leaf.uid]: '值须为 0–100' } },
      global: plugins(),
    })
    await flushPromises()
    expect(w.find('[data-testid="condition-add-leaf"]').exists()).toBe(false)
    expect(w.find('[data-testid="condition-remove"]').exists()).toBe(false)
    expect(w.find('[data-testid="condition-error"]').text()).toBe('值须为 0–100')
  })
})

describe('RuleDefinitionForm', () => {
  const RULE: WarningRule = {
    code: 'approval_overdue',
    name: '审批超期预警',
    stage: 'approval',
    type: 'overdue',
    description: '',
    enabled: true,
    builtin: true,
    version: 3,
    condition: { all: [] },
    levels: [
      { key: 'yellow', name: '黄灯', colour: '#E6A23C', handling_hours: 48, template: '{{事项名称}}', condition: { all: [{ field: 'used_percent', op: 'ge', value: 80 }] } },
      { key: 'red', name: '红灯', colour: '#F56C6C', handling_hours: 24, template: '超期', condition: { field: 'overdue', op: 'eq', value: true } },
    ],
    webhook: { url: 'https://sms.example/hook', secret: '******' },
  }

  it('renders basic info, scope, levels and webhook', async () => {
    const form = ruleToForm(RULE)
    const w = mount(RuleDefinitionForm, { props: { form, fields: FIELDS, codeLocked: true, showWebhook: true, previewable: true }, global: plugins() })
    await flushPromises()
    expect(w.findAll('[data-testid="level"]')).toHaveLength(2)
    expect(w.findAll('[data-testid="condition-leaf"]')).toHaveLength(2)
    expect(w.find('[data-testid="rule-webhook-url"]').exists()).toBe(true)
    expect(w.text()).toContain('已设置密钥')
    await w.find('[data-testid="level-preview"]').trigger('click')
    expect(w.emitted('preview')).toEqual([['yellow']])
    await w.find('[data-testid="level-add"]').trigger('click')
    expect(form.levels.map((l) => l.key)).toEqual(['yellow', 'red', 'level3'])
  })
})

describe('CaseClocksPanel', () => {
  it('draws one coloured clock per stage with its suspensions', async () => {
    const clocks: StageClock[] = [
      {
        stage: 'acceptance',
        budget: 5,
        unit: 'working',
        started_at: '2026-03-02T09:00:00+08:00',
        deadline: '2026-03-09T23:59:59+08:00',
        used_share: 0.4,
        remaining: 3,
        suspended_days: 0,
        status: 'completed',
        ended_at: '2026-03-04T10:00:00+08:00',
        suspensions: [],
      },
      {
        stage: 'approval',
        budget: 20,
        unit: 'working',
        started_at: '2026-03-04T10:00:00+08:00',
        deadline: '2026-04-03T23:59:59+08:00',
        used_share: 1.1,
        remaining: -2,
        suspended_days: 3,
        status: 'overdue',
        ended_at: null,
        suspensions: [{ start: '2026-03-10T09:00:00+08:00', end: '2026-03-13T09:00:00+08:00' }],
      },
    ]
    const w = mount(CaseClocksPanel, { props: { clocks, warnings: [] }, global: plugins() })
    await flushPromises()
    expect(w.findAll('[data-testid="case-clock"]')).toHaveLength(2)
    expect(w.text()).toContain('受理')
    expect(w.text()).toContain('按时完成')
    expect(w.text()).toContain('已超期')
    expect(w.text()).toContain('超期 2 工作日')
    expect(w.text()).toContain('暂停 2026-03-10 09:00 至 2026-03-13 09:00')
    expect(w.text()).toContain('已用 110.0%')
  })
})
