// 8. 工单管理 with the demo's work orders: the city operator finds the
//    item-change order of 食品经营许可 in 我的待办, sees its element diff and
//    reviews it (初审); the 市场监管局 user finds it in their 我的待办 and
//    confirms it (确认); the operator verifies and closes it (核验关闭); the
//    timeline shows every step.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BASE_URL, byTestId, closeRedPopup, login, logout, withPage } from './lib.mjs'

const CITY = { username: 'city', password: 'City@12345' }
const DEPT = { username: 'dept', password: 'Dept@123456' }
const TITLE = '事项变更：食品经营许可'

const isApi = (r, path, method = 'GET') =>
  new URL(r.url()).pathname === `/api/v1${path}` && r.request().method() === method

/** Open 我的待办 and the order titled TITLE; returns its code. */
async function openFromTodo(page) {
  const answered = page.waitForResponse((r) => isApi(r, '/work-orders'))
  await page.goto(`${BASE_URL}/workorders?view=todo&q=${encodeURIComponent('食品经营许可')}`)
  assert.equal((await answered).status(), 200)
  const row = byTestId(page, 'wo-table').locator('tbody tr').filter({ hasText: TITLE }).first()
  await row.waitFor({ state: 'visible' })
  const code = (await row.locator('[data-testid="wo-link"]').innerText()).trim()
  await row.locator('[data-testid="wo-link"]').click()
  await page.waitForURL((u) => u.pathname === `/workorders/orders/${code}`)
  await byTestId(page, 'wo-timeline').waitFor({ state: 'visible' })
  return code
}

/** Take `action` through its button and dialog; wait for the new state. */
async function act(page, code, action, state) {
  await byTestId(page, `wo-action-${action}`).click()
  const answered = page.waitForResponse((r) => isApi(r, `/work-orders/${code}/actions`, 'POST'))
  await byTestId(page, 'wo-action-submit').click()
  assert.equal((await answered).status(), 200, `${action} answered`)
  await page.waitForFunction(
    ([id, text]) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() === text,
    ['wo-detail-state', state],
  )
}

test('an item-change order from notice to close across two roles', { timeout: 180_000 }, async (t) => {
  await withPage(t, async (page) => {
    await login(page, CITY.username, CITY.password)
    await closeRedPopup(page)
    const code = await openFromTodo(page)
    assert.equal((await byTestId(page, 'wo-detail-state').innerText()).trim(), '待初审')
    // the diff: the renamed coded material and the added one, nothing for the reordering
    const ops = await byTestId(page, 'wo-diff').locator('[data-testid="wo-diff-op"]').allInnerTexts()
    assert.ok(ops.map((s) => s.trim()).includes('变更'), `diff ops: ${ops.join(',')}`)
    assert.ok(ops.map((s) => s.trim()).includes('新增'), `diff ops: ${ops.join(',')}`)
    await act(page, code, 'review', '待部门确认')
    await logout(page)

    await login(page, DEPT.username, DEPT.password)
    await closeRedPopup(page)
    assert.equal(await openFromTodo(page), code)
    await act(page, code, 'confirm', '待核验')
    await logout(page)

    await login(page, CITY.username, CITY.password)
    await closeRedPopup(page)
    await page.goto(`${BASE_URL}/workorders/orders/${code}`)
    await byTestId(page, 'wo-timeline').waitFor({ state: 'visible' })
    await act(page, code, 'close', '已关闭')
    const steps = await byTestId(page, 'wo-timeline').locator('.el-timeline-item').count()
    assert.equal(steps, 4, 'create, review, confirm, close')
    assert.equal(await byTestId(page, 'wo-action-close').count(), 0, 'no actions left')
  })
})
