// Shared helpers of the browser tests (not a test file itself).
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

export const BASE_URL = (process.env.GOVPULSE_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '')
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const RESULTS = join(dirname(fileURLToPath(import.meta.url)), 'test-results')

export const ADMIN = { username: 'admin', password: 'Admin@12345' }

/** A username unique to this run (lower-case letters, digits, underscore). */
export function uniqueName(prefix) {
  return `${prefix}_${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`
}

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/**
 * Run `fn(page)` in a fresh browser (own cookies); on failure save a
 * screenshot under tests/e2e/test-results/ and rethrow.
 */
export async function withPage(t, fn) {
  const browser = await launch()
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' })
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  const consoleErrors = []
  page.on('pageerror', (e) => consoleErrors.push(String(e)))
  try {
    await fn(page)
  } catch (e) {
    await mkdir(RESULTS, { recursive: true })
    const slug = t.name.replace(/[^\p{L}\p{N}]+/gu, '-').slice(0, 80)
    await page.screenshot({ path: join(RESULTS, `${slug}.png`), fullPage: true }).catch(() => {})
    if (consoleErrors.length) t.diagnostic(`page errors: ${consoleErrors.join(' | ')}`)
    t.diagnostic(`url at failure: ${page.url()}`)
    throw e
  } finally {
    await browser.close()
  }
}

export const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`)

/** Fill the login form and submit (does not wait for the outcome). */
export async function submitLogin(page, username, password) {
  if (!new URL(page.url(), BASE_URL).pathname.startsWith('/login')) {
    await page.goto(`${BASE_URL}/login`)
  }
  await byTestId(page, 'login-username').fill(username)
  await byTestId(page, 'login-password').fill(password)
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'))
  await byTestId(page, 'login-submit').click()
  return answer
}

/** Log in through the UI and wait until the app has left the login page. */
export async function login(page, username, password) {
  await page.goto(`${BASE_URL}/login`)
  const res = await submitLogin(page, username, password)
  assert.equal(res.status(), 200, `login of ${username} answered HTTP ${res.status()}`)
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
}

/** Log out through the top bar (with its confirmation box). */
export async function logout(page) {
  await byTestId(page, 'topbar-logout').click()
  await page.locator('.el-message-box__btns .el-button--primary').click()
  await page.waitForURL((u) => u.pathname.startsWith('/login'))
}

/** Text of the login error box once it is shown: { code, text }. */
export async function loginError(page) {
  const box = byTestId(page, 'login-error')
  await box.waitFor({ state: 'visible' })
  return { code: await box.getAttribute('data-code'), text: (await box.innerText()).trim() }
}

/** Wait for the red pop-up of the inbox bell (shown after login) and close it; its title, or null when none came. */
export async function closeRedPopup(page, timeout = 5_000) {
  const popup = page.locator('.inbox-red-popup').first()
  try {
    await popup.waitFor({ state: 'visible', timeout })
  } catch {
    return null
  }
  const title = (await popup.locator('.el-notification__title').innerText()).trim()
  await popup.locator('.el-notification__closeBtn').click()
  await popup.waitFor({ state: 'detached' })
  return title
}

/** Option `text` in the currently open Element Plus select / tree-select popper. */
export async function pickVisibleOption(page, text) {
  const option = page
    .locator('.el-select-dropdown__item:visible, .el-tree-node__content:visible')
    .filter({ hasText: text })
    .first()
  await option.click()
}

// ---- API access from node (admin set-up), cookie + CSRF like the browser ----

export async function apiLogin(username, password) {
  const res = await fetch(`${BASE_URL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: BASE_URL },
    body: JSON.stringify({ username, password }),
  })
  const body = await res.json().catch(() => null)
  assert.equal(res.status, 200, `API login of ${username}: HTTP ${res.status} ${JSON.stringify(body)}`)
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  assert.match(cookie, /gp_session=/, 'login answer sets the gp_session cookie')
  return { cookie, csrf: body.csrf_token }
}

export async function apiCall(session, method, path, body) {
  const headers = { Cookie: session.cookie, Origin: BASE_URL, Accept: 'application/json' }
  if (method !== 'GET') headers['X-CSRF-Token'] = session.csrf
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  const res = await fetch(`${BASE_URL}/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  let json = null
  try {
    json = text ? JSON.parse(text) : null
  } catch {
    json = text
  }
  return { status: res.status, body: json }
}
