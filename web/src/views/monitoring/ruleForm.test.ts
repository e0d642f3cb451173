import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/client'
import type { RuleField, WarningRule } from '@/api/models'
import { newLeaf } from './condition'
import {
  SECRET_MASK,
  describePath,
  formToRule,
  insertAt,
  locateProblems,
  newLevel,
  ruleInput,
  ruleProblems,
  ruleToForm,
  serverProblems,
} from './ruleForm'

const FIELDS: RuleField[] = [
  { key: 'used_percent', label: '已用比例', kind: 'number', ops: ['ge'], options: [], window: false, stages: ['approval'] },
  { key: 'overdue', label: '已超期', kind: 'bool', ops: ['eq'], options: [], window: false, stages: [] },
]

const RULE: WarningRule = {
  code: 'approval_overdue',
  name: '审批超期预警',
  stage: 'approval',
  type: 'overdue',
  description: '审批环节时限预警',
  enabled: true,
  builtin: true,
  version: 3,
  condition: { all: [] },
  levels: [
    {
      key: 'yellow',
      name: '黄灯',
      colour: '#E6A23C',
      handling_hours: 48,
      template: '{{事项名称}}（{{办件编号}}）已用时限 {{已用比例}}',
      condition: { all: [{ field: 'used_percent', op: 'ge', value: 80 }] },
    },
    { key: 'red', name: '红灯', colour: '#F56C6C', handling_hours: 24, template: '已超期', condition: { field: 'overdue', op: 'eq', value: true } },
  ],
  webhook: { url: 'https://sms.example/hook', secret: SECRET_MASK },
}

describe('rule form ⇄ API', () => {
  it('round-trips a stored rule without its read-only fields', () => {
    const { builtin: _b, version: _v, ...input } = RULE
    expect(formToRule(ruleToForm(RULE))).toEqual(input)
    expect(ruleInput(RULE)).toEqual(input)
  })

  it('sends the masked secret back unchanged and no webhook without a URL', () => {
    const f = ruleToForm(RULE)
    expect(formToRule(f).webhook).toEqual({ url: 'https://sms.example/hook', secret: SECRET_MASK })
    f.webhookSecret = ''
    expect(formToRule(f).webhook).toEqual({ url: 'https://sms.example/hook', secret: null })
    f.webhookUrl = '  '
    expect(formToRule(f).webhook).toBeNull()
  })

  it('starts a new rule with a yellow and a red level', () => {
    const f = ruleToForm(null)
    expect(f.levels.map((l) => [l.key, l.name, l.colour])).toEqual([
      ['yellow', '黄灯', '#E6A23C'],
      ['red', '红灯', '#F56C6C'],
    ])
    expect(newLevel(f.levels).key).toBe('level3')
    expect(formToRule(f).condition).toEqual({ all: [] })
  })

  it('checks code, names, levels and webhook before saving', () => {
    const f = ruleToForm(RULE)
    f.code = 'Bad Code'
    f.name = ' '
    f.levels[1]!.key = 'yellow'
    f.levels[1]!.handling_hours = 0
    f.levels[0]!.template = ''
    f.webhookUrl = 'ftp://x'
    f.webhookSecret = ''
    expect(ruleProblems(f, FIELDS)).toEqual([
      { path: 'code', message: '规则编码须为 2–40 位小写字母、数字或下划线' },
      { path: 'name', message: '请输入规则名称' },
      { path: 'levels[0].template', message: '请填写消息模板' },
      { path: 'levels[1].key', message: '级别代码“yellow”重复' },
      { path: 'levels[1].handling_hours', message: '处置时限须为 1–720 小时' },
      { path: 'webhook.url', message: '请输入以 http:// 或 https:// 开头的地址' },
    ])
    expect(ruleProblems(ruleToForm(RULE), FIELDS)).toEqual([])
  })

  it('checks conditions against the fields of the chosen stage', () => {
    const f = ruleToForm(RULE)
    f.stage = 'acceptance'
    expect(ruleProblems(f, FIELDS)).toEqual([
      { path: 'levels[0].condition.all[0].field', message: '字段“used_percent”不适用于所选环节' },
    ])
  })
})

describe('problems on the form', () => {
  it('reads rule.invalid details and details.fields', () => {
    const e = new ApiError(400, {
      code: 'rule.invalid',
      message: '规则不合法',
      details: { 'levels[0].condition.all[0].value': '须为 0–100', fields: { code: '已存在' } },
    })
    expect(serverProblems(e)).toEqual([
      { path: 'code', message: '已存在' },
      { path: 'levels[0].condition.all[0].value', message: '须为 0–100' },
    ])
    expect(serverProblems(new Error('x'))).toEqual([])
  })

  it('puts condition problems on tree nodes, the rest on fields, all in a readable list', () => {
    const f = ruleToForm(RULE)
    const leaf = newLeaf()
    f.condition.children.push(leaf)
    const located = locateProblems(
      [
        { path: 'levels[0].condition.all[0].value', message: '须为 0–100' },
        { path: 'levels[1].condition.value', message: '须为是或否' },
        { path: 'condition.all[0].field', message: '请选择字段' },
        { path: 'levels[1].name', message: '请输入级别名称' },
      ],
      f,
    )
    const yellowLeaf = f.levels[0]!.condition.children[0]!
    const redLeaf = f.levels[1]!.condition.children[0]!
    expect(located.nodes).toEqual({ [yellowLeaf.uid]: '须为 0–100', [redLeaf.uid]: '须为是或否', [leaf.uid]: '请选择字段' })
    expect(located.fields).toEqual({ 'levels[1].name': '请输入级别名称' })
    expect(located.list.map((p) => p.where)).toEqual([
      '级别 1（黄灯） · 触发条件 · 第 1 项 · 值',
      '级别 2（红灯） · 触发条件 · 值',
      '适用范围 · 第 1 项 · 字段',
      '级别 2（红灯） · 名称',
    ])
  })

  it('describes paths in Chinese', () => {
    const f = ruleToForm(RULE)
    expect(describePath('code', f)).toBe('规则编码')
    expect(describePath('webhook.url', f)).toBe('消息推送 · 推送地址')
    expect(describePath('condition.not.any[2].window_days', f)).toBe('适用范围 · 取反 · 第 3 项 · 统计天数')
  })
})

describe('template placeholders', () => {
  it('insert at the caret or over the selection', () => {
    expect(insertAt('剩余天', 2, 2, '{{剩余工作日}}')).toEqual({ text: '剩余{{剩余工作日}}天', caret: 11 })
    expect(insertAt('abc', 1, 2, 'X')).toEqual({ text: 'aXc', caret: 2 })
    expect(insertAt('', 5, 9, 'X')).toEqual({ text: 'X', caret: 1 })
  })
})
