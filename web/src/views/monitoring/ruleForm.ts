// A warning rule as its editor holds it (basic info, scope condition, levels,
// webhook), the conversions to and from the API, client-side checks, and the
// mapping of problems (ours or the server's `rule.invalid` details, both keyed
// by API path) onto form fields, tree nodes and a readable list.
import { ApiError } from '@/api/client'
import type { RuleField, RuleType, Stage, WarningRule, WarningRuleInput } from '@/api/models'
import { WARNING_LEVEL } from '@/utils/labels'
import {
  conditionFromApi,
  conditionPathIndex,
  conditionProblems,
  conditionToApi,
  fieldsForStage,
  locateNode,
  type GroupModel,
  type Problem,
} from './condition'

/** The secret as GET shows it: sent back unchanged it keeps the stored one. */
export const SECRET_MASK = '******'
export const RULE_CODE_RE = /^[a-z0-9_]{2,40}$/
export const LEVEL_KEY_RE = /^[a-z0-9_]{1,20}$/
export const MAX_LEVELS = 5
export const MAX_HANDLING_HOURS = 720
export const PRESET_COLOURS = ['#F56C6C', '#E6A23C', '#409EFF', '#67C23A', '#909399', '#975FE5']

/** Template placeholders (docs/api-monitoring.md), in the order offered. */
export const TEMPLATE_PLACEHOLDERS = [
  '{{事项名称}}',
  '{{事项编码}}',
  '{{办件编号}}',
  '{{申请人}}',
  '{{区划}}',
  '{{部门}}',
  '{{环节}}',
  '{{预警级别}}',
  '{{截止时间}}',
  '{{剩余工作日}}',
  '{{已用工作日}}',
  '{{已用比例}}',
  '{{规则名称}}',
]

export interface LevelForm {
  uid: string
  key: string
  name: string
  colour: string
  handling_hours: number | null
  template: string
  condition: GroupModel
}

export interface RuleForm {
  code: string
  name: string
  stage: Stage
  type: RuleType
  description: string
  enabled: boolean
  condition: GroupModel
  levels: LevelForm[]
  webhookUrl: string
  webhookSecret: string
}

let counter = 0
const levelUid = () => `l${++counter}`

export function newLevel(existing: { key: string }[] = []): LevelForm {
  const used = new Set(existing.map((l) => l.key))
  const preset = ['yellow', 'red'].find((k) => !used.has(k))
  let key = preset ?? ''
  for (let i = existing.length + 1; !key || used.has(key); i++) key = `level${i}`
  const shipped = WARNING_LEVEL[key]
  return {
    uid: levelUid(),
    key,
    name: shipped?.text ?? '',
    colour: shipped?.colour ?? PRESET_COLOURS[2]!,
    handling_hours: key === 'red' ? 24 : 48,
    template: '{{事项名称}}（{{办件编号}}）已用时限 {{已用比例}}，剩余 {{剩余工作日}} 个工作日',
    condition: conditionFromApi(null),
  }
}

export function ruleToForm(rule: WarningRuleInput | null): RuleForm {
  if (!rule) {
    const yellow = newLevel()
    return {
      code: '',
      name: '',
      stage: 'approval',
      type: 'custom',
      description: '',
      enabled: true,
      condition: conditionFromApi(null),
      levels: [yellow, newLevel([yellow])],
      webhookUrl: '',
      webhookSecret: '',
    }
  }
  return {
    code: rule.code,
    name: rule.name,
    stage: rule.stage,
    type: rule.type,
    description: rule.description ?? '',
    enabled: rule.enabled ?? true,
    condition: conditionFromApi(rule.condition),
    levels: (rule.levels ?? []).map((l) => ({
      uid: levelUid(),
      key: l.key,
      name: l.name,
      colour: l.colour,
      handling_hours: l.handling_hours,
      template: l.template ?? '',
      condition: conditionFromApi(l.condition),
    })),
    webhookUrl: rule.webhook?.url ?? '',
    webhookSecret: rule.webhook?.secret ?? '',
  }
}

export function formToRule(f: RuleForm): WarningRuleInput {
  const url = f.webhookUrl.trim()
  return {
    code: f.code.trim(),
    name: f.name.trim(),
    stage: f.stage,
    type: f.type,
    description: f.description.trim(),
    enabled: f.enabled,
    condition: conditionToApi(f.condition),
    levels: f.levels.map((l) => ({
      key: l.key.trim(),
      name: l.name.trim(),
      colour: l.colour,
      handling_hours: l.handling_hours ?? 0,
      template: l.template,
      condition: conditionToApi(l.condition),
    })),
    webhook: url ? { url, secret: f.webhookSecret || null } : null,
  }
}

/** A stored rule (or version) as the input it was made from (read-only fields dropped). */
export function ruleInput(rule: WarningRule): WarningRuleInput {
  return formToRule(ruleToForm(rule))
}

/** Everything the client can check before asking the server. */
export function ruleProblems(f: RuleForm, fields: RuleField[], opts: { webhook?: boolean } = {}): Problem[] {
  const out: Problem[] = []
  const code = f.code.trim()
  if (!code) out.push({ path: 'code', message: '请输入规则编码' })
  else if (!RULE_CODE_RE.test(code)) out.push({ path: 'code', message: '规则编码须为 2–40 位小写字母、数字或下划线' })
  if (!f.name.trim()) out.push({ path: 'name', message: '请输入规则名称' })
  else if (f.name.trim().length > 60) out.push({ path: 'name', message: '规则名称不超过 60 字' })
  const applicable = fields.length ? fieldsForStage(fields, f.stage) : []
  if (fields.length) out.push(...conditionProblems(f.condition, 'condition', applicable))
  if (!f.levels.length) out.push({ path: 'levels', message: '请至少设置一个预警级别' })
  else if (f.levels.length > MAX_LEVELS) out.push({ path: 'levels', message: `预警级别不超过 ${MAX_LEVELS} 个` })
  const keys = new Set<string>()
  f.levels.forEach((l, i) => {
    const p = `levels[${i}]`
    const key = l.key.trim()
    if (!key) out.push({ path: `${p}.key`, message: '请输入级别代码' })
    else if (!LEVEL_KEY_RE.test(key)) out.push({ path: `${p}.key`, message: '级别代码须为 1–20 位小写字母、数字或下划线' })
    else if (keys.has(key)) out.push({ path: `${p}.key`, message: `级别代码“${key}”重复` })
    keys.add(key)
    if (!l.name.trim()) out.push({ path: `${p}.name`, message: '请输入级别名称' })
    else if (l.name.trim().length > 20) out.push({ path: `${p}.name`, message: '级别名称不超过 20 字' })
    if (!/^#[0-9A-Fa-f]{6}$/.test(l.colour ?? '')) out.push({ path: `${p}.colour`, message: '请选择颜色' })
    const h = l.handling_hours
    if (h === null || !Number.isInteger(h) || h < 1 || h > MAX_HANDLING_HOURS) {
      out.push({ path: `${p}.handling_hours`, message: `处置时限须为 1–${MAX_HANDLING_HOURS} 小时` })
    }
    if (!l.template.trim()) out.push({ path: `${p}.template`, message: '请填写消息模板' })
    if (fields.length) out.push(...conditionProblems(l.condition, `${p}.condition`, applicable))
  })
  if (opts.webhook !== false && f.webhookUrl.trim()) {
    if (!/^https?:\/\/\S+$/.test(f.webhookUrl.trim())) out.push({ path: 'webhook.url', message: '请输入以 http:// 或 https:// 开头的地址' })
    if (f.webhookSecret.length > 200) out.push({ path: 'webhook.secret', message: '签名密钥不超过 200 字符' })
  }
  return out
}

/** Problems carried by a server error: `rule.invalid` details (path → message) and `details.fields`. */
export function serverProblems(e: unknown): Problem[] {
  if (!(e instanceof ApiError)) return []
  const out: Problem[] = Object.entries(e.fields).map(([path, message]) => ({ path, message }))
  if (e.code === 'rule.invalid' && e.details) {
    for (const [path, v] of Object.entries(e.details)) {
      if (path !== 'fields' && typeof v === 'string') out.push({ path, message: v })
    }
  }
  return out
}

const SEGMENT: Record<string, string> = {
  code: '规则编码',
  name: '名称',
  stage: '业务环节',
  type: '规则类型',
  description: '说明',
  enabled: '启用',
  key: '级别代码',
  colour: '颜色',
  handling_hours: '处置时限',
  template: '消息模板',
  webhook: '消息推送',
  url: '推送地址',
  secret: '签名密钥',
  rule: '规则',
  field: '字段',
  op: '运算符',
  value: '值',
  window_days: '统计天数',
  not: '取反',
}

/** `levels[0].condition.all[1].value` → `级别 1（黄灯）· 触发条件 · 第 2 项 · 值`. */
export function describePath(path: string, f: RuleForm): string {
  const parts: string[] = []
  const re = /([A-Za-z_]+)(?:\[(\d+)\])?/g
  let m: RegExpExecArray | null
  let inLevel = false
  while ((m = re.exec(path))) {
    const [, name, idx] = m
    const i = idx === undefined ? -1 : Number(idx)
    if (name === 'levels') {
      if (i < 0) parts.push('预警级别')
      else {
        const l = f.levels[i]
        parts.push(`级别 ${i + 1}${l?.name ? `（${l.name}）` : ''}`)
        inLevel = true
      }
    } else if (name === 'condition') parts.push(inLevel ? '触发条件' : '适用范围')
    else if (name === 'all' || name === 'any') parts.push(i >= 0 ? `第 ${i + 1} 项` : '条件组')
    else parts.push(SEGMENT[name!] ?? name!)
  }
  return parts.join(' · ')
}

export interface LocatedProblems {
  /** Tree node uid → message. */
  nodes: Record<string, string>
  /** Form path (`code`, `levels[0].name`, `webhook.url`) → message. */
  fields: Record<string, string>
  /** Everything, readable, for the list above the form. */
  list: { path: string; where: string; message: string }[]
}

export function locateProblems(problems: Problem[], f: RuleForm): LocatedProblems {
  const index = conditionPathIndex(f.condition, 'condition')
  f.levels.forEach((l, i) => {
    for (const [p, uid] of conditionPathIndex(l.condition, `levels[${i}].condition`)) index.set(p, uid)
  })
  const out: LocatedProblems = { nodes: {}, fields: {}, list: [] }
  for (const p of problems) {
    const uid = locateNode(p.path, index)
    const bag = uid ? out.nodes : out.fields
    const k = uid ?? p.path
    bag[k] = bag[k] ? `${bag[k]}；${p.message}` : p.message
    out.list.push({ path: p.path, where: describePath(p.path, f), message: p.message })
  }
  return out
}

/** Insert `token` over the selection `[start, end)` of `text`; the caret goes after it. */
export function insertAt(text: string, start: number, end: number, token: string): { text: string; caret: number } {
  const s = Math.max(0, Math.min(start, text.length))
  const e = Math.max(s, Math.min(end, text.length))
  return { text: text.slice(0, s) + token + text.slice(e), caret: s + token.length }
}
