// 13. 指标预警 with the demo's data: the evaluator adds a warning rule on
//     按时办结率 in 指标预警 (a red level every district with cases reaches),
//     finds it by name and level, runs it for the demo's published quarter,
//     and the warnings appear in the monitoring list — 朝阳 sees only its
//     own. In 指标库 朝阳's trend of the indicator opens by month and by
//     quarter. The indicators and rules download as one workbook.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BASE_URL, apiCall, apiLogin, byTestId, closeRedPopup, login, uniqueName, withPage } from './lib.mjs'

const EVALUATOR = { username: 'evaluator', password: 'Eval@123456' }
const CHAOYANG = { username: 'chaoyang', password: 'Chaoyang@123' }
const CITY = { username: 'city', password: 'City@12345' }

const isApi = (r, path, method = 'GET') =>
  new URL(r.url()).pathname === `/api/v1${path}` && r.request().method() === method

test('a warning rule on an indicator raises warnings within each scope', { timeout: 180_000 }, async (t) => {
  const evaluatorApi = await apiLogin(EVALUATOR.username, EVALUATOR.password)
  const runs = await apiCall(evaluatorApi, 'GET', '/evaluation/runs?mode=official&sort=created_at&size=500')
  assert.equal(runs.status, 200)
  const period = runs.body.items.find((r) => r.run_id === 1)?.period
  assert.ok(period, 'the demo published run 1')
  const code = uniqueName('e2e_alert')

  await withPage(t, async (page) => {
    await login(page, EVALUATOR.username, EVALUATOR.password)
    await closeRedPopup(page, 2_000)
    await page.goto(`${BASE_URL}/evaluation/indicator-alerts`)
    await byTestId(page, 'alert-new').click()
    await byTestId(page, 'alert-code').fill(code)
    await byTestId(page, 'alert-name').fill('浏览器测试预警')
    // Red when the on-time rate is below 101 %: every district with completed cases.
    await byTestId(page, 'alert-threshold-0-0').locator('input').fill('101')
    const saved = page.waitForResponse((r) => isApi(r, '/indicator-alerts', 'POST'))
    await byTestId(page, 'alert-save').click()
    const answer = await saved
    assert.equal(answer.status(), 201, await answer.text())

    // Found by name and level; not among the disabled ones.
    await page.goto(`${BASE_URL}/evaluation/indicator-alerts?q=${encodeURIComponent('浏览器测试')}&level=red`)
    const row = byTestId(page, 'alert-table').locator('tbody tr').filter({ hasText: '浏览器测试预警' }).first()
    await row.waitFor({ state: 'visible' })
    assert.match(await row.innerText(), /红色预警/)
    const disabled = await apiCall(evaluatorApi, 'GET', `/indicator-alerts?q=${code}&state=disabled`)
    assert.equal(disabled.body.total, 0)

    await row.locator('[data-testid="alert-run"]').click()
    await byTestId(page, 'alert-run-period').fill(period)
    const ran = page.waitForResponse((r) => isApi(r, `/indicator-alerts/${code}/run`, 'POST'))
    await byTestId(page, 'alert-run-go').click()
    const outcome = await ran
    assert.equal(outcome.status(), 200)
    const body = await outcome.json()
    assert.ok(body.raised >= 2, `warnings raised: ${JSON.stringify(body)}`)
    await byTestId(page, 'alert-run-outcome').waitFor({ state: 'visible' })
    assert.equal(await byTestId(page, 'alert-run-hits').locator('tbody tr').count(), body.hits.length)
    await page.keyboard.press('Escape')

    // 指标库: 朝阳's monthly trend of the indicator, then by quarter.
    await page.goto(`${BASE_URL}/evaluation/indicators?q=on_time_rate&exact=true`)
    const indicator = byTestId(page, 'ind-table').locator('tbody tr').filter({ hasText: 'on_time_rate' }).first()
    await indicator.waitFor({ state: 'visible' })
    await indicator.locator('[data-testid="ind-values"]').click()
    const unitRow = byTestId(page, 'ind-values-table').locator('tbody tr').filter({ hasText: '朝阳区' }).first()
    await unitRow.waitFor({ state: 'visible' })
    const monthly = page.waitForResponse((r) => isApi(r, '/indicators/on_time_rate/trend'))
    await unitRow.locator('[data-testid="ind-trend"]').click()
    assert.equal((await monthly).status(), 200)
    await byTestId(page, 'ind-trend-chart').waitFor({ state: 'visible' })
    assert.equal(await byTestId(page, 'ind-trend-table').locator('tbody tr').count(), 12)
    const quarterly = page.waitForResponse((r) => isApi(r, '/indicators/on_time_rate/trend'))
    await byTestId(page, 'ind-trend-grain').getByText('按季度', { exact: true }).click()
    assert.equal((await quarterly).status(), 200)
    await page.waitForFunction(
      (id) => document.querySelectorAll(`[data-testid="${id}"] tbody tr`).length === 8,
      'ind-trend-table',
    )
  })

  // The monitoring list holds them: the city all, 朝阳 only its own.
  const city = await apiLogin(CITY.username, CITY.password)
  const all = await apiCall(city, 'GET', `/warnings?rule=ind:${code}&size=100`)
  assert.ok(all.body.items.length >= 2, JSON.stringify(all.body))
  assert.equal(all.body.items[0].rule_name, '浏览器测试预警')
  const chaoyang = await apiLogin(CHAOYANG.username, CHAOYANG.password)
  const own = await apiCall(chaoyang, 'GET', `/warnings?rule=ind:${code}&size=100`)
  assert.equal(own.body.items.length, 1, JSON.stringify(own.body))
  assert.equal(own.body.items[0].region_code, '110105')
  const other = all.body.items.find((w) => w.region_code !== '110105')
  assert.equal((await apiCall(chaoyang, 'GET', `/warnings/${other.id}`)).status, 404)

  // The workbook downloads with the new rule in it.
  const workbook = await fetch(`${BASE_URL}/api/v1/indicator-workbook`, { headers: { Cookie: evaluatorApi.cookie } })
  assert.equal(workbook.status, 200)
  assert.match(workbook.headers.get('content-type') ?? '', /spreadsheetml/)
})
