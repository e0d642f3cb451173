import { describe, expect, it } from 'vitest'
import type { TreeBody } from '@/api/models'
import { apiAnswers, complete, excludedBy, keepShown, nextCode, pathLabel, problemLabel, shownQuestions } from './guidance'

const opt = (code: string, label: string) => ({ code, label, effects: { items: [], materials: [], notices: [], waives: [] } })

const body: TreeBody = {
  kind: 'theme',
  description: '',
  notices: [],
  items: [],
  materials: [],
  questions: [
    { code: 'menu', title: '经营项目（可多选）', multiple: true, options: [opt('hot', '热食'), opt('prepack', '预包装')] },
    { code: 'sewage', title: '是否排污？', multiple: false, depends_on: { question: 'menu', options: ['hot'] }, options: [opt('yes', '是'), opt('no', '否')] },
  ],
  exclusions: [{ options: [{ question: 'menu', option: 'hot' }, { question: 'menu', option: 'prepack' }], reason: '不能同时选择' }],
}

describe('guidance answering helpers', () => {
  it('shows a dependent question only after its parent answer', () => {
    expect(shownQuestions(body, {}).map((q) => q.code)).toEqual(['menu'])
    expect(shownQuestions(body, { menu: ['hot'] }).map((q) => q.code)).toEqual(['menu', 'sewage'])
    expect(complete(body, { menu: ['hot'] })).toBe(false)
    expect(complete(body, { menu: ['hot'], sewage: ['no'] })).toBe(true)
    expect(complete(body, { menu: ['prepack'] })).toBe(true)
  })

  it('drops answers of questions no longer shown and sends single choices as one code', () => {
    expect(keepShown(body, { menu: ['prepack'], sewage: ['yes'] })).toEqual({ menu: ['prepack'] })
    expect(apiAnswers(body, { menu: ['hot'], sewage: ['yes'] })).toEqual({ menu: ['hot'], sewage: 'yes' })
  })

  it('names why an option is excluded', () => {
    expect(excludedBy(body, { menu: ['hot'] }, 'menu', 'prepack')).toBe('不能同时选择')
    expect(excludedBy(body, {}, 'menu', 'prepack')).toBeNull()
  })

  it('puts paths and problems in words', () => {
    expect(pathLabel(body, 'menu=hot;sewage=no')).toBe('经营项目：热食；是否排污：否')
    expect(problemLabel(body, 'questions[1].options[0].effects.materials[0]')).toBe('问题2“是否排污？” 选项1“是”')
    expect(nextCode('M', ['M1', 'M3'])).toBe('M4')
  })
})
