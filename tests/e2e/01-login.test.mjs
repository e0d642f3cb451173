// 1. admin logs in → the layout shows the sidebar with 系统管理 and the user's name.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ADMIN, byTestId, login, withPage } from './lib.mjs'

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
