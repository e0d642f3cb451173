import { describe, expect, it } from 'vitest'
import { characterClasses, checkPassword, passwordProblems, passwordRule, reasonText } from './password'

describe('characterClasses', () => {
  it('counts lower, upper, digit and symbol classes', () => {
    expect(characterClasses('')).toBe(0)
    expect(characterClasses('abc')).toBe(1)
    expect(characterClasses('abcDEF')).toBe(2)
    expect(characterClasses('abcDEF123')).toBe(3)
    expect(characterClasses('abcDEF123!')).toBe(4)
    expect(characterClasses('密码abc')).toBe(2) // non-ASCII counts as a symbol
  })
})

describe('checkPassword', () => {
  it('accepts a 10-char password with 3 classes', () => {
    expect(checkPassword('Abcdefgh12', 'zhang')).toEqual([])
    expect(checkPassword('abcdefg12!', 'zhang')).toEqual([])
  })

  it('rejects passwords shorter than the minimum', () => {
    expect(checkPassword('Abcdef12!', 'zhang')).toEqual(['too_short'])
    expect(checkPassword('Abcdef12!x', 'zhang')).toEqual([])
    expect(checkPassword('Abcdef12!xy', 'zhang', 12)).toEqual(['too_short'])
  })

  it('requires three of the four classes', () => {
    expect(checkPassword('abcdefghij12', 'zhang')).toEqual(['too_few_classes'])
    expect(checkPassword('ABCDEFGHIJKL', 'zhang')).toEqual(['too_few_classes'])
  })

  it('rejects a password containing the username, case-insensitively', () => {
    expect(checkPassword('Chaoyang@123', 'chaoyang')).toEqual(['contains_username'])
    expect(checkPassword('xxCHAOYANGxx1!', 'chaoyang')).toEqual(['contains_username'])
    expect(checkPassword('Chaoyang@123', '')).toEqual([])
  })

  it('rejects passwords longer than 128 characters', () => {
    expect(checkPassword('Aa1!' + 'x'.repeat(124), 'zhang')).toEqual([])
    expect(checkPassword('Aa1!' + 'x'.repeat(125), 'zhang')).toEqual(['too_long'])
  })

  it('reports every failed rule at once', () => {
    expect(checkPassword('admin', 'admin')).toEqual(['too_short', 'too_few_classes', 'contains_username'])
  })
})

describe('messages', () => {
  it('gives Chinese text per reason and joins them', () => {
    expect(reasonText('too_short', 12)).toBe('密码长度至少 12 位')
    expect(passwordProblems('Abcdefgh12', 'x')).toBe('')
    expect(passwordProblems('abc', 'x')).toBe(
      '密码长度至少 10 位；密码须包含小写字母、大写字母、数字、特殊符号中的至少三类',
    )
  })

  it('form rule validator reports the problems', () => {
    const rule = passwordRule(() => 'wang')
    const results: (string | undefined)[] = []
    const cb = (e?: Error) => results.push(e?.message)
    rule.validator(null, '', cb)
    rule.validator(null, 'Wang@123456', cb)
    rule.validator(null, 'Strong#Pass1', cb)
    expect(results).toEqual(['请输入密码', '密码不能包含用户名', undefined])
  })
})
