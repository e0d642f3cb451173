import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  ApiError,
  buildUrl,
  configureClient,
  http,
  parseError,
  resetClient,
} from './client'

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  })
}

const fetchMock = vi.fn<typeof fetch>()

beforeEach(() => {
  resetClient()
  fetchMock.mockReset()
  vi.stubGlobal('fetch', fetchMock)
})
afterEach(() => vi.unstubAllGlobals())

const sentHeaders = (i = 0) => (fetchMock.mock.calls[i]![1]!.headers ?? {}) as Record<string, string>

describe('buildUrl', () => {
  it('prefixes /api/v1 and drops empty query values', () => {
    expect(buildUrl('/users')).toBe('/api/v1/users')
    expect(buildUrl('/users', { q: '', region: null, role: undefined, page: 2, size: 20 })).toBe(
      '/api/v1/users?page=2&size=20',
    )
  })

  it('encodes values (the + of +08:00 must survive)', () => {
    expect(buildUrl('/audit', { from: '2026-11-01T00:00:00+08:00', actor: '张 三' })).toBe(
      '/api/v1/audit?from=2026-11-01T00%3A00%3A00%2B08%3A00&actor=%E5%BC%A0+%E4%B8%89',
    )
  })
})

describe('CSRF header and credentials', () => {
  beforeEach(() => configureClient({ getCsrfToken: () => 'tok-123' }))

  it('sends X-CSRF-Token on writes only', async () => {
    fetchMock.mockImplementation(async () => json(200, { ok: 1 }))
    await http.get('/me')
    await http.post('/users', { a: 1 })
    await http.put('/users/1', { a: 2 })
    await http.delete('/users/1')
    expect(sentHeaders(0)['X-CSRF-Token']).toBeUndefined()
    expect(sentHeaders(1)['X-CSRF-Token']).toBe('tok-123')
    expect(sentHeaders(2)['X-CSRF-Token']).toBe('tok-123')
    expect(sentHeaders(3)['X-CSRF-Token']).toBe('tok-123')
  })

  it('uses same-origin credentials and JSON bodies', async () => {
    fetchMock.mockResolvedValue(json(201, { id: 7 }))
    const res = await http.post<{ id: number }>('/users', { username: 'x' })
    expect(res).toEqual({ id: 7 })
    const [url, init] = fetchMock.mock.calls[0]!
    expect(url).toBe('/api/v1/users')
    expect(init!.method).toBe('POST')
    expect(init!.credentials).toBe('same-origin')
    expect(init!.body).toBe('{"username":"x"}')
    expect(sentHeaders()['Content-Type']).toBe('application/json')
  })

  it('uploads a raw body with its own content type and the CSRF header', async () => {
    fetchMock.mockResolvedValue(json(200, { accepted: 1, duplicates: 0, rejected: [] }))
    const file = new Blob(['a,b\n1,2\n'], { type: 'application/vnd.ms-excel' })
    await http.upload('/import/cases', file, 'text/csv', { source: 'sys1' })
    const [url, init] = fetchMock.mock.calls[0]!
    expect(url).toBe('/api/v1/import/cases?source=sys1')
    expect(init!.method).toBe('POST')
    expect(init!.body).toBe(file)
    expect(sentHeaders()['Content-Type']).toBe('text/csv')
    expect(sentHeaders()['X-CSRF-Token']).toBe('tok-123')
  })

  it('resolves 204 to undefined', async () => {
    fetchMock.mockResolvedValue(new Response(null, { status: 204 }))
    await expect(http.delete('/users/1')).resolves.toBeUndefined()
  })

  it('refreshes a stale CSRF token once and retries', async () => {
    let token = 'old'
    configureClient({
      getCsrfToken: () => token,
      refreshCsrfToken: async () => (token = 'new'),
    })
    fetchMock
      .mockResolvedValueOnce(json(403, { code: 'auth.csrf', message: 'CSRF 校验失败', details: null }))
      .mockResolvedValueOnce(new Response(null, { status: 204 }))
    await http.post('/auth/logout')
    expect(fetchMock).toHaveBeenCalledTimes(2)
    expect(sentHeaders(0)['X-CSRF-Token']).toBe('old')
    expect(sentHeaders(1)['X-CSRF-Token']).toBe('new')
  })
})

describe('error parsing', () => {
  it('keeps code, message, details and field messages', async () => {
    fetchMock.mockResolvedValue(
      json(400, {
        code: 'request.invalid',
        message: '参数不合法',
        details: { fields: { username: '用户名已被使用', roles: ['至少一个', '不能重复'], n: 3 } },
      }),
    )
    const err = (await http.post('/users', {}).catch((e) => e)) as ApiError
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(400)
    expect(err.code).toBe('request.invalid')
    expect(err.message).toBe('参数不合法')
    expect(err.fields).toEqual({ username: '用户名已被使用', roles: '至少一个；不能重复' })
  })

  it('exposes details such as locked_until', async () => {
    fetchMock.mockResolvedValue(
      json(423, { code: 'auth.locked', message: '账户已锁定', details: { locked_until: '2026-11-21T10:00:00+08:00' } }),
    )
    const err = (await http.post('/auth/login', {}, { skipAuthHandling: true }).catch((e) => e)) as ApiError
    expect(err.code).toBe('auth.locked')
    expect(err.details).toEqual({ locked_until: '2026-11-21T10:00:00+08:00' })
    expect(err.fields).toEqual({})
  })

  it('copes with non-JSON error bodies', async () => {
    const e1 = await parseError(new Response('<html>Bad Gateway</html>', { status: 502 }))
    expect(e1.code).toBe('http.502')
    expect(e1.message).toContain('502')
    const e2 = await parseError(new Response('', { status: 413 }))
    expect(e2.message).toBe('提交的内容过大')
    const e3 = await parseError(json(500, { error: 'x' }))
    expect(e3.code).toBe('http.500')
  })

  it('turns network failures into an ApiError', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'))
    const err = (await http.get('/me').catch((e) => e)) as ApiError
    expect(err).toBeInstanceOf(ApiError)
    expect(err.code).toBe('network')
    expect(err.status).toBe(0)
  })
})

describe('global auth hooks', () => {
  it('runs onUnauthenticated on 401 session_expired and marks the error handled', async () => {
    const onUnauthenticated = vi.fn()
    configureClient({ onUnauthenticated })
    fetchMock.mockResolvedValue(json(401, { code: 'auth.session_expired', message: '会话已过期', details: null }))
    const err = (await http.get('/users').catch((e) => e)) as ApiError
    expect(onUnauthenticated).toHaveBeenCalledTimes(1)
    expect(onUnauthenticated.mock.calls[0]![0].code).toBe('auth.session_expired')
    expect(err.handled).toBe(true)
  })

  it('does not redirect on a wrong password (401 invalid_credentials)', async () => {
    const onUnauthenticated = vi.fn()
    configureClient({ onUnauthenticated })
    fetchMock.mockResolvedValue(json(401, { code: 'auth.invalid_credentials', message: '用户名或密码错误', details: null }))
    const err = (await http.post('/auth/login', {}).catch((e) => e)) as ApiError
    expect(onUnauthenticated).not.toHaveBeenCalled()
    expect(err.handled).toBe(false)
  })

  it('skips the hooks when asked (router guard, login)', async () => {
    const onUnauthenticated = vi.fn()
    configureClient({ onUnauthenticated })
    fetchMock.mockResolvedValue(json(401, { code: 'auth.unauthenticated', message: '请先登录', details: null }))
    await http.get('/me', undefined, { skipAuthHandling: true }).catch(() => undefined)
    expect(onUnauthenticated).not.toHaveBeenCalled()
  })

  it('runs onPasswordChangeRequired on 403 password_change_required only', async () => {
    const onPasswordChangeRequired = vi.fn()
    configureClient({ onPasswordChangeRequired })
    fetchMock
      .mockResolvedValueOnce(json(403, { code: 'auth.password_change_required', message: '请先修改密码', details: null }))
      .mockResolvedValueOnce(json(403, { code: 'auth.forbidden', message: '无权访问', details: null }))
    await http.get('/users').catch(() => undefined)
    const err = (await http.get('/users').catch((e) => e)) as ApiError
    expect(onPasswordChangeRequired).toHaveBeenCalledTimes(1)
    expect(err.code).toBe('auth.forbidden')
    expect(err.handled).toBe(false)
  })
})
