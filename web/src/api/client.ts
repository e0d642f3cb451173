// Thin fetch wrapper for the govpulse API (`/api/v1`).
//
// - same-origin cookies (`gp_session`), JSON in and out;
// - `X-CSRF-Token` on every non-GET request (token kept in the pinia auth store,
//   read through the `getCsrfToken` hook so this module has no store import);
// - every non-2xx answer becomes an `ApiError` carrying `{code, message, details}`;
// - 401 unauthenticated / session expired and 403 password_change_required are
//   handed to global hooks (redirect to login / change-password page).

export const API_BASE = '/api/v1'

export type QueryValue = string | number | boolean | null | undefined
export type QueryParams = Record<string, QueryValue | QueryValue[]>

export interface ErrorBody {
  code: string
  message: string
  details: Record<string, unknown> | null
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly details: Record<string, unknown> | null
  /** Set when a global hook (redirect to login, …) already dealt with the error. */
  handled = false

  constructor(status: number, body: ErrorBody) {
    super(body.message)
    this.name = 'ApiError'
    this.status = status
    this.code = body.code
    this.details = body.details
  }

  /** Field messages from `details.fields` (validation errors), `{}` when none. */
  get fields(): Record<string, string> {
    const f = this.details?.fields
    if (!f || typeof f !== 'object' || Array.isArray(f)) return {}
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(f as Record<string, unknown>)) {
      if (typeof v === 'string') out[k] = v
      else if (Array.isArray(v)) out[k] = v.filter((x) => typeof x === 'string').join('；')
    }
    return out
  }
}

export const UNAUTHENTICATED_CODES = ['auth.unauthenticated', 'auth.session_expired']

export interface ClientHooks {
  getCsrfToken: () => string | null
  /** Called once per 401 auth.unauthenticated / auth.session_expired. */
  onUnauthenticated: (err: ApiError) => void
  /** Called on 403 auth.password_change_required. */
  onPasswordChangeRequired: (err: ApiError) => void
  /** Fetch a fresh CSRF token (after 403 auth.csrf); null when impossible. */
  refreshCsrfToken: (() => Promise<string | null>) | null
}

const defaultHooks: ClientHooks = {
  getCsrfToken: () => null,
  onUnauthenticated: () => {},
  onPasswordChangeRequired: () => {},
  refreshCsrfToken: null,
}

let hooks: ClientHooks = { ...defaultHooks }

export function configureClient(h: Partial<ClientHooks>): void {
  hooks = { ...hooks, ...h }
}

/** Test helper: forget all hooks. */
export function resetClient(): void {
  hooks = { ...defaultHooks }
}

/** `/api/v1` + path + query string; empty / null values are left out. */
export function buildUrl(path: string, query?: QueryParams): string {
  const url = API_BASE + path
  if (!query) return url
  const qs = new URLSearchParams()
  for (const [key, raw] of Object.entries(query)) {
    const values = Array.isArray(raw) ? raw : [raw]
    for (const v of values) {
      if (v === undefined || v === null || v === '') continue
      qs.append(key, String(v))
    }
  }
  const s = qs.toString()
  return s ? `${url}?${s}` : url
}

function fallbackMessage(status: number): string {
  if (status === 0) return '无法连接服务器，请检查网络'
  if (status === 413) return '提交的内容过大'
  if (status === 429) return '请求过于频繁，请稍后再试'
  if (status >= 500) return `服务暂不可用（HTTP ${status}），请稍后重试`
  return `请求失败（HTTP ${status}）`
}

/** Turn a non-2xx response into an ApiError, whatever its body looks like. */
export async function parseError(res: Response): Promise<ApiError> {
  let text = ''
  try {
    text = await res.text()
  } catch {
    // body unreadable: fall through to the generic message
  }
  if (text) {
    try {
      const body = JSON.parse(text) as Partial<ErrorBody>
      if (body && typeof body.code === 'string') {
        const details =
          body.details && typeof body.details === 'object' && !Array.isArray(body.details)
            ? (body.details as Record<string, unknown>)
            : null
        return new ApiError(res.status, {
          code: body.code,
          message:
            typeof body.message === 'string' && body.message
              ? body.message
              : fallbackMessage(res.status),
          details,
        })
      }
    } catch {
      // not JSON
    }
  }
  return new ApiError(res.status, {
    code: `http.${res.status}`,
    message: fallbackMessage(res.status),
    details: null,
  })
}

export interface RequestOptions {
  query?: QueryParams
  body?: unknown
  /** A body sent as is (a file upload) with its own Content-Type; `body` is ignored. */
  raw?: { body: Blob | string; contentType: string }
  /** Do not run the global 401 / 403 hooks (used by login and the router guard). */
  skipAuthHandling?: boolean
  /** A poll, not user activity: the server does not extend the idle session for it. */
  background?: boolean
  signal?: AbortSignal
}

const SAFE_METHODS = ['GET', 'HEAD']

async function send(method: string, path: string, opts: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (opts.raw) headers['Content-Type'] = opts.raw.contentType
  else if (opts.body !== undefined) headers['Content-Type'] = 'application/json'
  if (opts.background) headers['X-Background'] = '1'
  if (!SAFE_METHODS.includes(method)) {
    const token = hooks.getCsrfToken()
    if (token) headers['X-CSRF-Token'] = token
  }
  try {
    return await fetch(buildUrl(path, opts.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.raw ? opts.raw.body : opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    })
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e
    throw new ApiError(0, { code: 'network', message: fallbackMessage(0), details: null })
  }
}

function runHooks(err: ApiError, opts: RequestOptions): void {
  if (opts.skipAuthHandling) return
  if (err.status === 401 && UNAUTHENTICATED_CODES.includes(err.code)) {
    err.handled = true
    hooks.onUnauthenticated(err)
  } else if (err.status === 403 && err.code === 'auth.password_change_required') {
    err.handled = true
    hooks.onPasswordChangeRequired(err)
  }
}

/** Perform a request and return the raw successful Response (throws ApiError). */
export async function requestRaw(
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<Response> {
  let res = await send(method, path, opts)
  if (!res.ok) {
    let err = await parseError(res)
    // A stale CSRF token (e.g. after re-login in another tab): refresh once and retry.
    if (err.code === 'auth.csrf' && !SAFE_METHODS.includes(method) && hooks.refreshCsrfToken) {
      const fresh = await hooks.refreshCsrfToken().catch(() => null)
      if (fresh) {
        res = await send(method, path, opts)
        if (res.ok) return res
        err = await parseError(res)
      }
    }
    runHooks(err, opts)
    throw err
  }
  return res
}

/** Perform a JSON request; 204 / empty bodies resolve to undefined. */
export async function request<T>(
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<T> {
  const res = await requestRaw(method, path, opts)
  if (res.status === 204) return undefined as T
  const text = await res.text()
  return (text ? JSON.parse(text) : undefined) as T
}

export const http = {
  get: <T>(path: string, query?: QueryParams, opts: RequestOptions = {}) =>
    request<T>('GET', path, { ...opts, query }),
  post: <T>(path: string, body?: unknown, opts: RequestOptions = {}) =>
    request<T>('POST', path, { ...opts, body }),
  put: <T>(path: string, body?: unknown, opts: RequestOptions = {}) =>
    request<T>('PUT', path, { ...opts, body }),
  delete: <T = void>(path: string, opts: RequestOptions = {}) =>
    request<T>('DELETE', path, opts),
  /** POST a file (or any Blob) as the raw request body with its content type. */
  upload: <T>(path: string, body: Blob | string, contentType: string, query?: QueryParams) =>
    request<T>('POST', path, { query, raw: { body, contentType } }),
}
