// 1. admin logs in → the layout shows the sidebar with 系统管理 and the user's name.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ADMIN, BASE_URL, byTestId, login, withPage } from './lib.mjs'

test('admin logs in and sees the sidebar and their name', { timeout: 120_000 }, async (t) => {
  await withPage(t, async (page) => {
    await login(page, ADMIN.username, ADMIN.password)

    const sidebar = byTestId(page, 'sidebar')
    await sidebar.waitFor({ state: 'visible' })
    await sidebar.getByText('系统管理', { exact: true }).waitFor({ state: 'visible' })
    await sidebar.getByText('首页看板', { exact: true }).waitFor({ state: 'visible' })

    // The name shown in the top bar is the display name the server knows.
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).json())
    assert.ok(me.display_name, '/me returns a display name')
    const shown = byTestId(page, 'topbar-user-name')
    await shown.waitFor({ state: 'visible' })
    assert.equal((await shown.innerText()).trim(), me.display_name)

    // The welcome card repeats the name from /me (real data, no placeholders).
    const welcome = byTestId(page, 'welcome-card')
    await welcome.waitFor({ state: 'visible' })
    assert.match(await welcome.innerText(), new RegExp(me.display_name))
  })
})

// Issue 16 item 4: no dead end — each role lands on the first page it may use.
test('the audit admin lands on 审计日志, not on a dashboard it may not read', { timeout: 120_000 }, async (t) => {
  await withPage(t, async (page) => {
    await login(page, 'auditor', 'Audit@12345')
    await page.waitForURL((u) => u.pathname === '/audit')
    const sidebar = byTestId(page, 'sidebar')
    await sidebar.getByText('审计日志', { exact: true }).waitFor({ state: 'visible' })
    assert.equal(await sidebar.getByText('首页看板', { exact: true }).count(), 0, 'no 首页看板 entry')
    assert.equal(await byTestId(page, 'dash-forbidden').count(), 0)
    // the breadcrumb's 首页 leads to the same home
    await page.goto(`${BASE_URL}/`)
    await page.waitForURL((u) => u.pathname === '/audit')
  })
})
