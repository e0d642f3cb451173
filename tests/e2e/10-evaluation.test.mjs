// 10. 质效评价 with the demo's data: the evaluator finds 按时办结率 in 指标库
//     and its values per district (numerator / denominator), adds a scoring
//     scheme in 赋分规则, runs it officially for a quarter, reads the ranking
//     and a unit's trace in 评价结果, publishes the result and verifies the
//     archive's checksum. Then 朝阳 appeals its 按时办结率 figures on the
//     demo's published result, the evaluator accepts the appeal, and 朝阳's
//     score changes while the archive stays intact.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BASE_URL, apiCall, apiLogin, byTestId, closeRedPopup, login, logout, pickVisibleOption, withPage } from './lib.mjs'

const EVALUATOR = { username: 'evaluator', password: 'Eval@123456' }
const CHAOYANG = { username: 'chaoyang', password: 'Chaoyang@123' }

const isApi = (r, path, method = 'GET') =>
  new URL(r.url()).pathname === `/api/v1${path}` && r.request().method() === method

test('from an indicator to a published, verified result', { timeout: 180_000 }, async (t) => {
  await withPage(t, async (page) => {
    await login(page, EVALUATOR.username, EVALUATOR.password)
    await closeRedPopup(page, 2_000)

    // 指标库: fuzzy search, then the indicator's values per district.
    await page.goto(`${BASE_URL}/evaluation/indicators?q=${encodeURIComponent('按时')}`)
    const row = byTestId(page, 'ind-table').locator('tbody tr').filter({ hasText: 'on_time_rate' }).first()
    await row.waitFor({ state: 'visible' })
    const values = page.waitForResponse((r) => isApi(r, '/indicators/on_time_rate/values'))
    await row.locator('[data-testid="ind-values"]').click()
    assert.equal((await values).status(), 200)
    const valueRows = byTestId(page, 'ind-values-table').locator('tbody tr')
    await valueRows.first().waitFor({ state: 'visible' })
    assert.equal(await valueRows.count(), 17, 'every district has a row')
    await page.keyboard.press('Escape')

    // 赋分规则: a new scheme from the editor's example, then an official run.
    await page.goto(`${BASE_URL}/evaluation/scoring-rules`)
    await byTestId(page, 'scheme-new').click()
    const code = `e2e_${Date.now()}`
    await byTestId(page, 'scheme-code').fill(code)
    await byTestId(page, 'scheme-name').fill('浏览器测试方案')
    const saved = page.waitForResponse((r) => isApi(r, '/scoring-schemes', 'POST'))
    await byTestId(page, 'scheme-save').click()
    assert.equal((await saved).status(), 201)
    const schemeRow = byTestId(page, 'scheme-table').locator('tbody tr').filter({ hasText: code })
    await schemeRow.waitFor({ state: 'visible' })
    await schemeRow.locator('[data-testid="scheme-run"]').click()
    await byTestId(page, 'run-mode').getByText('正式', { exact: true }).click()
    const ran = page.waitForResponse((r) => isApi(r, '/evaluation/runs', 'POST'))
    await byTestId(page, 'run-go').click()
    const answer = await ran
    assert.equal(answer.status(), 201)
    const { run_id: runId } = await answer.json()
    await page.waitForURL((u) => u.pathname === '/evaluation/results' && u.searchParams.get('run') === String(runId))

    // 评价结果: the ranking, best first, and the first unit's trace.
    const results = byTestId(page, 'result-table').locator('tbody tr.el-table__row')
    await results.first().waitFor({ state: 'visible' })
    assert.equal(await results.count(), 17)
    assert.equal((await results.first().locator('td').nth(1).innerText()).trim(), '1')
    const traced = page.waitForResponse((r) => new URL(r.url()).pathname.startsWith(`/api/v1/evaluation/runs/${runId}/trace/`))
    await results.first().locator('[data-testid="result-trace"]').click()
    assert.equal((await traced).status(), 200)
    const steps = byTestId(page, 'trace-steps').locator('.el-timeline-item')
    await steps.first().waitFor({ state: 'visible' })
    assert.ok((await steps.count()) >= 4, 'inputs, two rules, the weighted sum, the result')
    await page.keyboard.press('Escape')

    // Publish, then verify the archive.
    await byTestId(page, 'result-publish').click()
    const published = page.waitForResponse((r) => isApi(r, `/evaluation/runs/${runId}/publish`, 'POST'))
    await page.locator('.el-message-box__btns .el-button--primary').click()
    assert.equal((await published).status(), 200)
    const verification = byTestId(page, 'result-verification')
    await verification.waitFor({ state: 'visible' })
    assert.match(await verification.innerText(), /归档完整/)
    await byTestId(page, 'result-archived').waitFor({ state: 'visible' })
    assert.equal(await byTestId(page, 'result-publish').count(), 0, 'a published result cannot be published again')
  })
})

test('an accepted appeal changes a score, the archive keeps the old one', { timeout: 180_000 }, async (t) => {
  // The demo published run 1 (archive 1).
  const api = await apiLogin(CHAOYANG.username, CHAOYANG.password)
  const before = await apiCall(api, 'GET', '/evaluation/runs/1/trace/110105')
  assert.equal(before.status, 200)
  const onTime = before.body.steps[0].values.on_time_rate
  assert.ok(onTime.numerator < onTime.denominator, `朝阳 has late cases to dispute: ${JSON.stringify(onTime)}`)

  await withPage(t, async (page) => {
    await login(page, CHAOYANG.username, CHAOYANG.password)
    await closeRedPopup(page, 2_000)
    await page.goto(`${BASE_URL}/evaluation/results?run=1`)
    const row = byTestId(page, 'result-table').locator('tbody tr.el-table__row').filter({ hasText: '朝阳区' }).first()
    await row.waitFor({ state: 'visible' })
    await row.locator('[data-testid="result-trace"]').click()
    await byTestId(page, 'trace-steps').waitFor({ state: 'visible' })
    await byTestId(page, 'trace-appeal').click()
    await byTestId(page, 'appeal-indicator').click()
    await pickVisibleOption(page, '按时办结率')
    await byTestId(page, 'appeal-numerator').locator('input').fill(String(onTime.denominator))
    await byTestId(page, 'appeal-reason').fill('超期办件因申请人补正材料暂停计时，不应计为超期')
    const filed = page.waitForResponse((r) => isApi(r, '/evaluation/appeals', 'POST'))
    await byTestId(page, 'appeal-submit').click()
    const answer = await filed
    assert.equal(answer.status(), 201)
    const { code } = await answer.json()
    await page.goto(`${BASE_URL}/evaluation/indicators`) // leave the drawer
    await logout(page)

    // The evaluator accepts it on the work-order page.
    await login(page, EVALUATOR.username, EVALUATOR.password)
    await closeRedPopup(page, 2_000)
    await page.goto(`${BASE_URL}/workorders/orders/${code}`)
    await byTestId(page, 'wo-action-accept').click()
    await byTestId(page, 'wo-input-comment').fill('材料属实，予以更正')
    const accepted = page.waitForResponse((r) => isApi(r, `/work-orders/${code}/actions`, 'POST'))
    await byTestId(page, 'wo-action-submit').click()
    assert.equal((await accepted).status(), 200)
    await page.waitForFunction(
      ([id, text]) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() === text,
      ['wo-detail-state', '申诉成立'],
    )
  })

  const after = await apiCall(api, 'GET', '/evaluation/runs/1/trace/110105')
  assert.equal(after.body.result_version, 2)
  assert.ok(after.body.score > before.body.score, `score ${before.body.score} → ${after.body.score}`)
  const archive = await apiCall(api, 'GET', '/evaluation/archives/1')
  assert.equal(archive.body.intact, true)
})
