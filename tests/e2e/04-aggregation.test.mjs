// 4. 数据汇聚 with demo data (`govpulse demo --cases 2000`): the city operator
//    searches the item catalogue, opens an item's versions, opens a case with its
//    process timeline and reveals the applicant's ID number (audited); the 朝阳区
//    operator sees only cases of 朝阳区 and its streets.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { test } from 'node:test'
import { ADMIN, BASE_URL, byTestId, login, withPage } from './lib.mjs'

const CITY = { username: 'city', password: 'City@12345' }
const CHAOYANG = { username: 'chaoyang', password: 'Chaoyang@123' }

/** The number in the pager's 共 1,234 条. */
async function pagerTotal(page) {
  const text = await byTestId(page, 'pager-total').innerText()
  return Number(text.replace(/[^\d]/g, ''))
}

/** Open a list page and wait for its first answer and first row. */
async function openList(page, path, apiPath, tableId) {
  const answered = page.waitForResponse(
    (r) => new URL(r.url()).pathname === `/api/v1${apiPath}` && r.request().method() === 'GET',
  )
  await page.goto(`${BASE_URL}${path}`)
  const res = await answered
  assert.equal(res.status(), 200, `GET ${apiPath} answered ${res.status()}`)
  const table = byTestId(page, tableId)
  await table.locator('tbody tr').first().waitFor({ state: 'visible' })
  return table
}

test('city operator: item search and versions, case timeline, audited ID reveal', { timeout: 180_000 }, async (t) => {
  await withPage(t, async (page) => {
    await login(page, CITY.username, CITY.password)

    // --- 事项目录: rows, and a word of the first name narrows the total ---
    const items = await openList(page, '/aggregation/items', '/items', 'item-table')
    const before = await pagerTotal(page)
    assert.ok(before > 0, 'the catalogue has items')
    const firstName = (await items.locator('tbody tr').first().locator('td.col-name').innerText()).trim()
    const word = firstName.replace(/[（(].*$/, '').slice(0, 6) || firstName.slice(0, 6)
    assert.ok(word.length > 0, `a word from "${firstName}"`)

    const beforeText = await byTestId(page, 'pager-total').innerText()
    const searched = page.waitForResponse(
      (r) => new URL(r.url()).pathname === '/api/v1/items' && new URL(r.url()).searchParams.get('q') === word,
    )
    await byTestId(page, 'item-filter-q').fill(word)
    await byTestId(page, 'search-submit').click()
    assert.equal((await searched).status(), 200)
    await page.waitForFunction(
      (before) => document.querySelector('[data-testid="pager-total"]')?.textContent?.trim() !== before.trim(),
      beforeText,
    )
    const after = await pagerTotal(page)
    assert.ok(after >= 1, `searching "${word}" finds the first item again`)
    assert.ok(after < before, `searching "${word}" narrows ${before} → ${after}`)
    assert.equal(new URL(page.url()).searchParams.get('q'), word, 'the filter is in the URL')
    for (const name of await items.locator('tbody td.col-name').allInnerTexts()) {
      assert.ok(name.includes(word), `row "${name}" matches "${word}"`)
    }

    // --- item detail: header and the 版本记录 tab ---
    await items.locator('[data-testid="item-link"]').first().click()
    await page.waitForURL((u) => u.pathname.startsWith('/aggregation/items/'))
    await byTestId(page, 'item-descriptions').waitFor({ state: 'visible' })
    await byTestId(page, 'item-version').waitFor({ state: 'visible' })
    await page.getByRole('tab', { name: '版本记录' }).click()
    const versions = byTestId(page, 'item-versions')
    await versions.waitFor({ state: 'visible' })
    assert.ok((await versions.locator('.el-timeline-item').count()) >= 1, 'at least one version is listed')
    assert.match(await versions.innerText(), /v\d+/)

    // --- 办件数据 → first case: process timeline, masked applicant, reveal ---
    const cases = await openList(page, '/aggregation/cases', '/cases', 'case-table')
    const caseLink = cases.locator('[data-testid="case-link"]').first()
    const caseCode = (await caseLink.innerText()).trim()
    const detail = page.waitForResponse(
      (r) => new URL(r.url()).pathname === `/api/v1/cases/${encodeURIComponent(caseCode)}`,
    )
    await caseLink.click()
    assert.equal((await detail).status(), 200)
    await page.waitForURL((u) => u.pathname.startsWith('/aggregation/cases/'))
    assert.equal((await byTestId(page, 'detail-code').innerText()).trim(), caseCode)
    await byTestId(page, 'case-status').waitFor({ state: 'visible' })

    const events = byTestId(page, 'case-events')
    await events.waitFor({ state: 'visible' })
    assert.ok((await events.locator('.el-timeline-item').count()) >= 1, 'the 办理过程 timeline shows an event')

    const applicantId = byTestId(page, 'case-applicant-id')
    const masked = (await applicantId.innerText()).trim()
    assert.match(masked, /\*{4,}/, `the applicant ID is masked: ${masked}`)

    const revealed = page.waitForResponse(
      (r) => r.url().endsWith(`/api/v1/cases/${encodeURIComponent(caseCode)}/reveal`) && r.request().method() === 'POST',
    )
    await byTestId(page, 'case-reveal').click()
    const res = await revealed
    assert.equal(res.status(), 200, `reveal answered ${res.status()}`)
    const { applicant_id: full } = await res.json()
    await page.waitForFunction(
      (m) => document.querySelector('[data-testid="case-applicant-id"]')?.textContent?.trim() !== m,
      masked,
    )
    const shown = (await applicantId.innerText()).trim()
    assert.equal(shown, full, 'the revealed number is shown')
    assert.match(shown, /^[0-9A-Z]{18}$/, `an 18-character ID number: ${shown}`)
    assert.equal(shown.slice(-2), masked.slice(-2), 'the same number as the masked one')
    await page.locator('.el-message').filter({ hasText: '审计' }).first().waitFor({ state: 'visible' })
  })
})

test('a district operator sees only cases of 朝阳区 and its streets', { timeout: 120_000 }, async (t) => {
  await withPage(t, async (page) => {
    await login(page, CHAOYANG.username, CHAOYANG.password)
    // The names of the operator's region subtree (朝阳区 and everything below it).
    const regions = await page.evaluate(async () => (await fetch('/api/v1/regions')).json())
    const allowed = new Set(regions.map((r) => r.name))
    assert.ok(allowed.has('朝阳区'), 'the subtree holds 朝阳区')
    assert.ok(!allowed.has('海淀区'), 'the subtree does not hold 海淀区')

    const cases = await openList(page, '/aggregation/cases', '/cases', 'case-table')
    assert.ok((await pagerTotal(page)) > 0, 'the district operator sees cases')
    const shown = (await cases.locator('tbody td.col-region').allInnerTexts()).map((s) => s.trim())
    assert.ok(shown.length > 0, 'rows have a 区划 column')
    for (const name of shown) assert.ok(allowed.has(name), `case outside 朝阳区 listed: ${name}`)
  })
})

// Issue 16 item 11: the import dialog offers a template and explains rejections in Chinese.
test('admin: 导入 offers 下载模板 and explains a rejected row in Chinese', { timeout: 120_000 }, async (t) => {
  await withPage(t, async (page) => {
    await login(page, ADMIN.username, ADMIN.password)
    await openList(page, '/aggregation/items', '/items', 'item-table')
    await byTestId(page, 'import-open').click()
    const dialog = byTestId(page, 'import-dialog')
    await dialog.waitFor({ state: 'visible' })

    const got = page.waitForEvent('download')
    await byTestId(page, 'import-template').click()
    const download = await got
    assert.equal(download.suggestedFilename(), 'items-template.xlsx')
    const file = await download.path()
    const bytes = await readFile(file)
    assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'an XLSX (zip) file')

    // a row with an impossible item type code: rejected, with a Chinese message
    const csv = 'item_code,name,item_type_code,department_code,region_code,legal_limit,limit_unit\nE2E-TPL-1,测试事项,xx,110105D001,110105,20,working\n'
    await byTestId(page, 'import-file').locator('input[type=file]').setInputFiles({ name: 'items.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/import/items')
    await byTestId(page, 'import-submit').click()
    assert.equal((await answered).status(), 200)
    const rejections = byTestId(page, 'import-rejections')
    await rejections.locator('tbody tr').first().waitFor({ state: 'visible' })
    const message = (await rejections.locator('tbody tr').first().locator('td').nth(2).innerText()).trim()
    assert.match(message, /[\u4e00-\u9fff]/, `a Chinese message: ${message}`)
    assert.doesNotMatch(message, /\b(must|is not|required)\b/, `no English: ${message}`)
  })
})
