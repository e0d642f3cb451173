import { describe, expect, it } from 'vitest'
import { actionInputs, diffRows, missingInputs, statsCsv, workOrderQuery } from './workorders'

const filters = { view: '', type: 'item_change', state: '', unit: '', overdue: 'true', q: '' }

describe('work-order workbench', () => {
  it('asks the list for 我的待办 by default and leaves empty filters out', () => {
    expect(workOrderQuery(filters)).toEqual({ view: 'todo', type: 'item_change', overdue: 'true' })
    expect(workOrderQuery({ ...filters, view: 'all', type: '' })).toEqual({ view: 'all', overdue: 'true' })
  })

  it('asks an action for its comment and required fields', () => {
    const dispatch = { action: 'dispatch' as const, name: '分类派发', to: 'handling', required: ['class_code', 'unit_code'] }
    expect(actionInputs(dispatch).map((i) => [i.field, i.required])).toEqual([
      ['comment', false],
      ['class_code', true],
      ['unit_code', true],
    ])
    expect(missingInputs(dispatch, { class_code: 'A0101' })).toEqual({ unit_code: '请填写责任单位' })
    const ret = { action: 'return' as const, name: '退回', to: 'confirming', required: ['comment'] }
    expect(missingInputs(ret, { comment: '  ' })).toEqual({ comment: '请填写办理意见' })
    expect(missingInputs(ret, { comment: '材料不全' })).toEqual({})
  })

  it('shows a diff side by side, objects as text', () => {
    expect(
      diffRows([
        { path: 'materials[M1].name', op: 'changed', before: '申请书', after: '经营许可申请书' },
        { path: 'materials[营业执照]', op: 'added', before: null, after: { name: '营业执照' } },
      ]),
    ).toEqual([
      { path: 'materials[M1].name', op: 'changed', before: '申请书', after: '经营许可申请书' },
      { path: 'materials[营业执照]', op: 'added', before: '', after: '{"name":"营业执照"}' },
    ])
  })
})

describe('work-order statistics', () => {
  it('export as CSV with a BOM, names first, formulas defused', () => {
    const csv = statsCsv(
      [
        { key: 'A0101', name: '办理超时', total: 3, open: 1, overdue: 1 },
        { key: '', name: null, total: 2, open: 2, overdue: 0 },
        { key: 'X', name: '=cmd()', total: 1, open: 0, overdue: 0 },
      ],
      '投诉分类',
    )
    expect(csv.split('\r\n')).toEqual([
      '\ufeff投诉分类,编码,工单总数,办理中,已超期',
      '办理超时,A0101,3,1,1',
      '未分类,,2,2,0',
      "'=cmd(),X,1,0,0",
    ])
  })
})
