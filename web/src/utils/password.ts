// Client-side mirror of the server's password policy (SEC-1): at least
// `minLength` characters (10 by default) and at most 128, at least 3 of 4
// character classes (lower, upper, digit, symbol), and it must not contain
// the username (case-insensitively).
// The server stays the authority (`auth.weak_password`, details.reasons).

export type PasswordReason = 'too_short' | 'too_long' | 'too_few_classes' | 'contains_username'

export const DEFAULT_MIN_LENGTH = 10
export const MAX_LENGTH = 128

export function characterClasses(password: string): number {
  let lower = false
  let upper = false
  let digit = false
  let symbol = false
  for (const ch of password) {
    if (ch >= 'a' && ch <= 'z') lower = true
    else if (ch >= 'A' && ch <= 'Z') upper = true
    else if (ch >= '0' && ch <= '9') digit = true
    else symbol = true
  }
  return [lower, upper, digit, symbol].filter(Boolean).length
}

export function checkPassword(
  password: string,
  username: string,
  minLength: number = DEFAULT_MIN_LENGTH,
): PasswordReason[] {
  const reasons: PasswordReason[] = []
  const length = [...password].length
  if (length < minLength) reasons.push('too_short')
  if (length > MAX_LENGTH) reasons.push('too_long')
  if (characterClasses(password) < 3) reasons.push('too_few_classes')
  const u = username.trim().toLowerCase()
  if (u && password.toLowerCase().includes(u)) reasons.push('contains_username')
  return reasons
}

export function reasonText(reason: string, minLength: number = DEFAULT_MIN_LENGTH): string {
  switch (reason) {
    case 'too_short':
      return `密码长度至少 ${minLength} 位`
    case 'too_long':
      return `密码长度不能超过 ${MAX_LENGTH} 位`
    case 'too_few_classes':
      return '密码须包含小写字母、大写字母、数字、特殊符号中的至少三类'
    case 'contains_username':
      return '密码不能包含用户名'
    default:
      return '密码不符合安全策略'
  }
}

/** One Chinese sentence for all reasons; '' when the password is acceptable. */
export function passwordProblems(
  password: string,
  username: string,
  minLength: number = DEFAULT_MIN_LENGTH,
): string {
  return checkPassword(password, username, minLength)
    .map((r) => reasonText(r, minLength))
    .join('；')
}

/** Element Plus form-rule validator built on the checker. */
export function passwordRule(getUsername: () => string, minLength = DEFAULT_MIN_LENGTH) {
  return {
    required: true,
    trigger: 'blur',
    validator: (_rule: unknown, value: string, callback: (e?: Error) => void) => {
      if (!value) return callback(new Error('请输入密码'))
      const msg = passwordProblems(value, getUsername(), minLength)
      callback(msg ? new Error(msg) : undefined)
    },
  }
}
