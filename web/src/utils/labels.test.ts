import { describe, expect, it } from 'vitest'
import type { CaseEventKind, CaseStatus, ConditionOp, WarningStatus } from '@/api/models'
import {
  APPLICANT_TYPE,
  CASE_EVENT_KIND,
  CASE_STATUS,
  CASE_TYPE,
  CHANNEL,
  CLOCK_STATUS,
  CONDITION_OP,
  ITEM_TYPE,
  LIMIT_UNIT,
  SATISFACTION,
  STAGE,
  WARNING_HISTORY_ACTION,
  WARNING_STATUS,
  labelOf,
  levelColour,
  levelText,
  limitText,
  optionsOf,
  textOf,
} from './labels'

describe('aggregation labels', () => {
  it('names every case event kind as the operators say it', () => {
    const expected: Record<CaseEventKind, string> = {
      submitted: '提交',
      accepted: '受理',
      rejected: '不予受理',
      supplement_start: '补正开始',
      supplement_end: '补正结束',
      special_start: '特别程序开始',
      special_end: '特别程序结束',
      decided: '审批决定',
      completed: '办结',
      delivered: '送达',
      withdrawn: '撤回',
    }
    for (const [k, text] of Object.entries(expected)) expect(labelOf(CASE_EVENT_KIND, k).text).toBe(text)
  })

  it('has a label and colour for every case status and shows unknown codes as they are', () => {
    const statuses: CaseStatus[] = ['submitted', 'accepted', 'rejected', 'in_progress', 'suspended', 'completed', 'withdrawn']
    for (const s of statuses) expect(CASE_STATUS[s].text).toMatch(/\p{Script=Han}/u)
    expect(labelOf(CASE_STATUS, 'rejected')).toEqual({ text: '不予受理', type: 'danger' })
    expect(labelOf(CASE_STATUS, 'archived')).toEqual({ text: 'archived', type: 'info' })
  })

  it('maps GB/T 39046 A.1 item types and A.6 case types', () => {
    expect(textOf(ITEM_TYPE, '01')).toBe('行政许可')
    expect(textOf(ITEM_TYPE, '20')).toBe('公共服务事项')
    expect(textOf(ITEM_TYPE, '11')).toBe('11') // a local extension keeps its code
    expect(textOf(CASE_TYPE, 1)).toBe('即办件')
    expect(textOf(CASE_TYPE, 2)).toBe('承诺件')
  })

  it('maps GB/T 39046 A.8 satisfaction (1 is the best) with traffic-light colours', () => {
    expect([1, 2, 3, 4, 5].map((n) => labelOf(SATISFACTION, String(n)).text)).toEqual([
      '非常满意',
      '满意',
      '基本满意',
      '不满意',
      '非常不满意',
    ])
    expect(labelOf(SATISFACTION, '1').type).toBe('success')
    expect(labelOf(SATISFACTION, '4').type).toBe('warning')
    expect(labelOf(SATISFACTION, '5').type).toBe('danger')
  })

  it('names channels, applicant types and limit units', () => {
    expect(textOf(CHANNEL, 'hotline')).toBe('12345')
    expect(textOf(CHANNEL, 'online')).toBe('在线导办')
    expect(textOf(APPLICANT_TYPE, 'person')).toBe('自然人')
    expect(textOf(APPLICANT_TYPE, 'org')).toBe('法人及其他组织')
    expect(LIMIT_UNIT.working).toBe('工作日')
    expect(textOf(CHANNEL, null)).toBe('—')
    expect(textOf(CHANNEL, '')).toBe('—')
  })

  it('writes time limits with their unit', () => {
    expect(limitText(20, 'working')).toBe('20 工作日')
    expect(limitText(0, 'natural')).toBe('0 自然日')
    expect(limitText(null, 'working')).toBe('—')
  })

  it('turns a code map into select options in map order', () => {
    expect(optionsOf({ b: '乙', a: '甲' })).toEqual([
      { value: 'b', label: '乙' },
      { value: 'a', label: '甲' },
    ])
  })
})

describe('monitoring labels', () => {
  it('names stages, warning statuses and condition operators in Chinese', () => {
    expect([STAGE.acceptance, STAGE.approval, STAGE.special_procedure, STAGE.immediate]).toEqual(['受理', '审批', '特别程序', '即办'])
    const statuses: WarningStatus[] = ['open', 'acknowledged', 'handled', 'false_positive', 'closed']
    expect(statuses.map((s) => WARNING_STATUS[s].text)).toEqual(['待处置', '已确认', '已处置', '误报', '已关闭'])
    const ops: ConditionOp[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in', 'not_in', 'within']
    expect(ops.map((o) => CONDITION_OP[o])).toEqual(['等于', '不等于', '大于', '大于等于', '小于', '小于等于', '属于', '不属于', '位于区划内'])
  })

  it('gives warning levels text and colour, preferring the rule’s own', () => {
    expect([levelText('red'), levelText('yellow'), levelText('orange'), levelText('red', '一级')]).toEqual(['红灯', '黄灯', 'orange', '一级'])
    expect([levelColour('red'), levelColour('yellow'), levelColour('x'), levelColour('red', '#000000')]).toEqual([
      '#F56C6C',
      '#E6A23C',
      '#909399',
      '#000000',
    ])
  })

  it('labels clock statuses with traffic-light tag colours', () => {
    expect(labelOf(CLOCK_STATUS, 'overdue')).toEqual({ text: '已超期', type: 'danger' })
    expect(labelOf(CLOCK_STATUS, 'running').text).toBe('计时中')
    expect(labelOf(WARNING_HISTORY_ACTION, 'raised').text).toBe('触发预警')
    expect(labelOf(WARNING_HISTORY_ACTION, 'archived').text).toBe('archived')
  })
})

describe('audit actions (issue 16 item 7)', () => {
  it('have Chinese names, unknown codes shown as they are', async () => {
    const { auditActionText } = await import('./labels')
    expect(auditActionText('auth.login')).toBe('登录')
    expect(auditActionText('export.download')).toBe('下载导出文件')
    expect(auditActionText('warning.bulk_false_positive')).toBe('批量标记误报')
    expect(auditActionText('something.new')).toBe('something.new')
  })
})
