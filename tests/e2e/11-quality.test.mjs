// 11. 数据质检 on the demo: the 朝阳区 operator sees the check library, starts a
//     run over the last 30 days, finds the demo's planted bad records by error
//     code (办理形式代码 7), opens the failing cases of one code and downloads
//     the run's Excel report.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BASE_URL, byTestId, closeRedPopup, login, withPage } from './lib.mjs'

const CHAOYANG = { username: 'chaoyang', password: 'Chaoyang@123' }

const isApi = (r, path, method = 'GET') =>
  new URL(r.url()).pathname === `/api/v1${path}` && r.request().method() === method

test('a quality run finds the planted records and reports them', { timeout: 180_000 }, async (t) => {
  await withPage(t, async (page) => {
    await login(page, CHAOYANG.username, CHAOYANG.password)
    await closeRedPopup(page)
    await page.goto(`${BASE_URL}/quality`)
    const library = byTestId(page, 'quality-checks')
    await library.locator('tbody tr').first().waitFor({ state: 'visible' })
    assert.ok((await library.innerText()).includes('general.handling_mode'), 'the library lists the codes')

    const started = page.waitForResponse((r) => isApi(r, '/quality/runs', 'POST'))
    await byTestId(page, 'quality-start').click()
    assert.equal((await started).status(), 202)
    await page.waitForFunction(
      (id) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() === '已完成',
      'quality-state',
      { timeout: 60_000 },
    )
    const byCode = byTestId(page, 'quality-by-code')
    const row = byCode.locator('tbody tr').filter({ hasText: 'general.handling_mode' })
    await row.waitFor({ state: 'visible' })

    const listed = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/failures') && new URL(r.url()).searchParams.get('code') === 'general.handling_mode')
    await row.click()
    assert.equal((await listed).status(), 200)
    const failures = byTestId(page, 'quality-failures')
    await page.waitForFunction(
      (id) => {
        const rows = [...document.querySelectorAll(`[data-testid="${id}"] tbody tr`)]
        return rows.length > 0 && rows.every((r) => r.textContent.includes('general.handling_mode'))
      },
      'quality-failures',
    )
    assert.ok((await failures.innerText()).includes('办理形式代码 7 不在代码表中'), 'the planted case and its reason')

    const download = page.waitForEvent('download')
    await byTestId(page, 'quality-report').click()
    const file = await download
    assert.match(file.suggestedFilename(), /^quality-run-\d+\.xlsx$/)
  })
})
