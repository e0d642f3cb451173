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

// Issue 16 item 14: a year without holiday data is no silent 0 休 / 0 班.
test('工作日历 warns about a coming year without holiday data', { timeout: 120_000 }, async (t) => {
  await withPage(t, async (page) => {
    await login(page, ADMIN.username, ADMIN.password)
    const listed = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/calendar/years')
    await page.goto(`${BASE_URL}/system/calendar`)
    const years = await (await listed).json()
    const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' })
    const year = Number(today.slice(0, 4))
    const empty = (y) => !years.some((s) => s.year === y && s.holidays + s.workdays > 0)
    const daysLeft = Math.round((Date.UTC(year + 1, 0, 1) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000)
    const due = empty(year) ? year : daysLeft <= 60 && empty(year + 1) ? year + 1 : null
    await byTestId(page, 'calendar-years').locator('tbody tr').first().waitFor({ state: 'visible' })
    if (due === null) {
      await page.waitForTimeout(500)
      assert.equal(await byTestId(page, 'calendar-empty-year').count(), 0, 'no warning while every near year has data')
    } else {
      const alert = byTestId(page, 'calendar-empty-year')
      await alert.waitFor({ state: 'visible' })
      assert.match(await alert.innerText(), new RegExp(`${due} 年尚无节假日数据`))
    }
    // a listed year without data says so instead of 0 / 0
    for (const s of years.filter((y) => y.holidays + y.workdays === 0)) {
      const row = byTestId(page, 'calendar-years').locator('tbody tr').filter({ hasText: String(s.year) })
      assert.match(await row.innerText(), /无数据/)
    }
    // the date pickers start the week on Monday (zh-CN)
    await page.locator('.el-date-editor:visible input').first().click()
    const firstHead = page.locator('.el-picker-panel:visible .el-date-table th').first()
    await firstHead.waitFor({ state: 'visible' })
    assert.equal((await firstHead.innerText()).trim(), '一', 'weeks start on Monday')
  })
})
