// 12. 接诉即办 end to end: a complaint arrives through the intake API (with
//     an intake token the test creates); the city operator finds it in 我的待办,
//     classifies it and dispatches it to 市市场监管局 (分类派发); the 市场监管局
//     user finds it in their 我的待办 and replies (办理答复); the operator makes
//     the return visit with the applicant's satisfaction and closes it (回访办结).
//     The timeline keeps every step, and the workbench's 导出 writes a file.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { test } from 'node:test'
import { ADMIN, BASE_URL, apiCall, apiLogin, byTestId, closeRedPopup, login, logout, pickVisibleOption, uniqueName, withPage } from './lib.mjs'

const CITY = { username: 'city', password: 'City@12345' }
const DEPT = { username: 'dept', password: 'Dept@123456' }

const isApi = (r, path, method = 'GET') =>
  new URL(r.url()).pathname === `/api/v1${path}` && r.request().method() === method

/** A complaint received through the intake API; its title. */
async function receiveComplaint() {
  const admin = await apiLogin(ADMIN.username, ADMIN.password)
  const created = await apiCall(admin, 'POST', '/tokens', { name: uniqueName('e2e-complaints'), scope: 'intake' })
  assert.equal(created.status, 201, JSON.stringify(created.body))
  const id = uniqueName('E2E-TS')
  const title = `窗口排队过久 ${id}`
  const res = await fetch(`${BASE_URL}/api/v1/intake/complaints`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${created.body.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify([
      {
        complaint_id: id,
        title,
        content: '周一上午在朝阳区政务服务中心排队两个小时仍未办理',
        complainant: '王女士',
        source: '12345',
        received_at: new Date().toISOString(),
        region_code: '110105',
        promised_days: 5,
      },
    ]),
  })
  const report = await res.json()
  assert.equal(res.status, 200, JSON.stringify(report))
  assert.equal(report.accepted, 1, JSON.stringify(report))
  return title
}

/** Open 我的待办 and the order titled `title`; returns its code. */
async function openFromTodo(page, title) {
  const answered = page.waitForResponse((r) => isApi(r, '/work-orders'))
  await page.goto(`${BASE_URL}/workorders?view=todo&q=${encodeURIComponent(title)}`)
  assert.equal((await answered).status(), 200)
  const link = byTestId(page, 'wo-table').locator('tbody tr').filter({ hasText: title }).first().locator('[data-testid="wo-link"]')
  await link.waitFor({ state: 'visible' })
  const code = (await link.innerText()).trim()
  await link.click()
  await page.waitForURL((u) => u.pathname === `/workorders/orders/${code}`)
  await byTestId(page, 'wo-timeline').waitFor({ state: 'visible' })
  return code
}

/** Open `action`'s dialog, let `fill` enter its inputs, submit; wait for the new state. */
async function act(page, code, action, state, fill = async () => {}) {
  await byTestId(page, `wo-action-${action}`).click()
  await byTestId(page, 'wo-action-submit').waitFor({ state: 'visible' })
  await fill()
  const answered = page.waitForResponse((r) => isApi(r, `/work-orders/${code}/actions`, 'POST'))
  await byTestId(page, 'wo-action-submit').click()
  const response = await answered
  assert.equal(response.status(), 200, `${action}: ${await response.text()}`)
  await page.waitForFunction(
    ([id, text]) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() === text,
    ['wo-detail-state', state],
  )
}

test('a complaint from intake through dispatch, reply and return visit to close', { timeout: 240_000 }, async (t) => {
  const title = await receiveComplaint()
  await withPage(t, async (page) => {
    await login(page, CITY.username, CITY.password)
    await closeRedPopup(page)
    const code = await openFromTodo(page, title)
    assert.equal((await byTestId(page, 'wo-detail-state').innerText()).trim(), '待派发')
    await act(page, code, 'dispatch', '办理中', async () => {
      await byTestId(page, 'wo-input-class').click()
      await pickVisibleOption(page, '办理超时')
      await byTestId(page, 'wo-input-unit').click()
      await page.keyboard.type('市场监管')
      await page.locator('.el-select-dropdown__item:visible').filter({ hasText: '市市场监管局' }).first().waitFor()
      await pickVisibleOption(page, '市市场监管局')
    })
    await logout(page)

    await login(page, DEPT.username, DEPT.password)
    await closeRedPopup(page)
    assert.equal(await openFromTodo(page, title), code)
    await act(page, code, 'reply', '待回访', async () => {
      // el-input hands its data-testid to the textarea itself
      await byTestId(page, 'wo-input-comment').fill('已核实，增开两个窗口并向王女士致歉')
    })
    await logout(page)

    await login(page, CITY.username, CITY.password)
    await closeRedPopup(page)
    assert.equal(await openFromTodo(page, title), code)
    await act(page, code, 'close', '已办结', async () => {
      await byTestId(page, 'wo-input-satisfaction').click()
      await pickVisibleOption(page, '基本满意')
    })
    const steps = byTestId(page, 'wo-timeline').locator('.el-timeline-item')
    assert.equal(await steps.count(), 4, 'create, dispatch, reply, close')
    assert.match(await steps.nth(2).innerText(), /增开两个窗口/)
    assert.equal(await byTestId(page, 'wo-action-close').count(), 0, 'no actions left')

    // 我已办 lists it, and its export is a file with the order in it.
    const listed = page.waitForResponse((r) => isApi(r, '/work-orders'))
    await page.goto(`${BASE_URL}/workorders?view=done&q=${encodeURIComponent(title)}`)
    assert.equal((await listed).status(), 200)
    await byTestId(page, 'wo-table').locator('tbody tr').filter({ hasText: code }).waitFor()
    const job = page.waitForResponse((r) => isApi(r, '/exports', 'POST'))
    const download = page.waitForEvent('download')
    await byTestId(page, 'wo-export-csv').click()
    const created = await job
    assert.equal(created.status(), 202, await created.text())
    assert.equal((await created.json()).source, 'work_orders')
    const file = await download
    assert.equal(await file.failure(), null)
    const text = (await readFile(await file.path())).toString('utf8')
    assert.match(text, new RegExp(code), 'the exported file lists the order')
  })
})
