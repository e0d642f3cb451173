// 5. 监测预警 with demo data (`govpulse demo --cases 2000`, which leaves live
//    warnings of every built-in model in 朝阳区, 海淀区 and 东城区): the city
//    operator filters 预警信息 by level and acknowledges a warning; opens the
//    built-in rule approval_overdue in the visual editor, saves it back as a
//    new version and simulates it over the last year; reads the red pop-up and
//    the inbox and marks everything read; the 朝阳区 operator sees only 朝阳区
//    warnings and a warned case's stage clocks.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BASE_URL, byTestId, closeRedPopup, login, pickVisibleOption, withPage } from './lib.mjs'

const CITY = { username: 'city', password: 'City@12345' }
const CHAOYANG = { username: 'chaoyang', password: 'Chaoyang@123' }

const isApi = (r, path, method = 'GET') =>
  new URL(r.url()).pathname === `/api/v1${path}` && r.request().method() === method

/** Open 预警信息 (with an optional query) and wait for its answer and first row. */
async function openWarnings(page, query = '') {
  const answered = page.waitForResponse((r) => isApi(r, '/warnings'))
  await page.goto(`${BASE_URL}/monitoring/warnings${query}`)
  const res = await answered
  assert.equal(res.status(), 200, `GET /warnings answered ${res.status()}`)
  const table = byTestId(page, 'warning-table')
  await table.locator('tbody tr').first().waitFor({ state: 'visible' })
  return { table, body: await res.json() }
}

const levelTexts = async (table) => (await table.locator('tbody [data-testid="level-tag"]').allInnerTexts()).map((s) => s.trim())

const ymd = (d) => d.toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' })

test('city operator: warnings by level, acknowledging one', { timeout: 180_000 }, async (t) => {
  await withPage(t, async (page) => {
    await login(page, CITY.username, CITY.password)
    const { table } = await openWarnings(page)
    await closeRedPopup(page)

    // --- red and yellow level tags in the list ---
    const all = await levelTexts(table)
    assert.ok(all.length > 0, 'the city operator sees warnings')
    assert.ok(all.includes('红灯'), `a 红灯 row: ${all.join(',')}`)
    assert.ok(all.includes('黄灯'), `a 黄灯 row: ${all.join(',')}`)

    // --- filter level = red: in the URL, every row 红灯 ---
    await byTestId(page, 'warning-filter-level').click()
    await pickVisibleOption(page, '红灯')
    const filtered = page.waitForResponse(
      (r) => isApi(r, '/warnings') && new URL(r.url()).searchParams.get('level') === 'red',
    )
    await byTestId(page, 'search-submit').click()
    const res = await filtered
    assert.equal(res.status(), 200)
    const { total } = await res.json()
    assert.ok(total > 0, 'there are red warnings')
    await page.waitForURL((u) => u.searchParams.get('level') === 'red')
    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid="warning-table"] tbody [data-testid="level-tag"]')].every((e) => e.textContent.includes('红灯')),
    )
    const red = await levelTexts(table)
    assert.ok(red.length > 0, 'red rows are listed')
    for (const text of red) assert.equal(text, '红灯', 'every row is 红灯 after filtering')

    // --- open a red warning still waiting (待处置) and acknowledge it ---
    const openRow = table.locator('tbody tr').filter({ has: page.locator('[data-testid="warning-row-status"]', { hasText: '待处置' }) }).first()
    const detail = page.waitForResponse((r) => /^\/api\/v1\/warnings\/\d+$/.test(new URL(r.url()).pathname))
    await openRow.locator('[data-testid="warning-view"]').click()
    assert.equal((await detail).status(), 200)
    await page.waitForURL((u) => /^\/monitoring\/warnings\/\d+$/.test(u.pathname))
    const id = new URL(page.url()).pathname.split('/').pop()
    assert.equal((await byTestId(page, 'warning-status').innerText()).trim(), '待处置')
    const history = byTestId(page, 'warning-history').locator('.el-timeline-item')
    await history.first().waitFor({ state: 'visible' })
    const entriesBefore = await history.count()

    await byTestId(page, 'warning-acknowledge').click()
    const acknowledged = page.waitForResponse((r) => isApi(r, `/warnings/${id}/acknowledge`, 'POST'))
    await page.locator('.el-message-box__btns .el-button--primary').click()
    const ack = await acknowledged
    assert.equal(ack.status(), 200, `acknowledge answered ${ack.status()}`)
    assert.equal((await ack.json()).status, 'acknowledged')
    await page.waitForFunction(
      () => document.querySelector('[data-testid="warning-status"]')?.textContent?.trim() === '已确认',
    )
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="warning-history"] .el-timeline-item').length === n + 1,
      entriesBefore,
    )
    const last = (await history.last().innerText()).replace(/\s+/g, ' ')
    assert.match(last, /确认/, `the new history entry is the acknowledgement: ${last}`)
    assert.match(last, /市级运营专员/, `and names the operator by name (issue 16 item 6): ${last}`)
    const code = (await byTestId(page, 'detail-code').innerText()).trim()
    assert.doesNotMatch(code, /^预警 \d+$/, 'the header shows the subject, not a raw id')
    assert.equal(code, (await byTestId(page, 'warning-case-link').innerText()).trim())
    assert.equal(await byTestId(page, 'warning-acknowledge').count(), 0, 'an acknowledged warning cannot be acknowledged again')

    // --- arriving with a filter behind 展开 (a dashboard stage card): the form shows it (issue 16 item 3) ---
    await openWarnings(page, '?stage=approval')
    const stageItem = page.locator('.search-form .el-form-item').filter({ has: page.locator('label', { hasText: /^环节$/ }) })
    await stageItem.waitFor({ state: 'visible' })
    assert.match(await stageItem.innerText(), /审批/, 'the stage filter shows its value')
    await byTestId(page, 'search-toggle').click()
    assert.equal((await byTestId(page, 'search-hidden-active').innerText()).trim(), '1', 'collapsed: 1 hidden filter in effect')
  })
})

test('city operator: approval_overdue in the visual editor, saved back, simulated over a year', { timeout: 180_000 }, async (t) => {
  await withPage(t, async (page) => {
    await login(page, CITY.username, CITY.password)
    const listed = page.waitForResponse((r) => isApi(r, '/warning-rules'))
    await page.goto(`${BASE_URL}/monitoring/rules`)
    assert.equal((await listed).status(), 200)
    await closeRedPopup(page)
    const rules = byTestId(page, 'rule-table')
    await rules.locator('tbody tr').first().waitFor({ state: 'visible' })

    // --- the editor loads the built-in rule into the condition tree ---
    const loaded = page.waitForResponse((r) => isApi(r, '/warning-rules/approval_overdue'))
    await rules.getByRole('link', { name: 'approval_overdue', exact: true }).click()
    assert.equal((await loaded).status(), 200)
    await page.waitForURL((u) => u.pathname === '/monitoring/rules/approval_overdue')
    const version = Number((await byTestId(page, 'rule-version').innerText()).replace(/\D/g, ''))
    assert.ok(version >= 1, `a version tag: v${version}`)

    const levels = byTestId(page, 'level')
    await levels.first().waitFor({ state: 'visible' })
    assert.equal(await levels.count(), 2, 'yellow and red levels')
    assert.match(await levels.nth(0).locator('[data-testid="level-tag"]').first().innerText(), /黄灯/)
    assert.match(await levels.nth(1).locator('[data-testid="level-tag"]').first().innerText(), /红灯/)

    // yellow: 时限已用比例(%) 大于等于 80 (the field labels come from GET /warning-rules/fields)
    const usedLeaf = levels
      .nth(0)
      .locator('[data-testid="condition-leaf"]')
      .filter({ has: page.locator('[data-testid="condition-field"]', { hasText: '时限已用比例(%)' }) })
    await usedLeaf.first().waitFor({ state: 'visible' })
    assert.equal(await usedLeaf.count(), 1, 'one 时限已用比例(%) test in the yellow level')
    assert.match(await usedLeaf.locator('[data-testid="condition-op"]').innerText(), /大于等于/)
    assert.equal(await usedLeaf.locator('[data-testid="condition-value-number"] input').inputValue(), '80')
    // red: 已超期 = 是
    const overdueLeaf = levels
      .nth(1)
      .locator('[data-testid="condition-leaf"]')
      .filter({ has: page.locator('[data-testid="condition-field"]', { hasText: '已超期' }) })
    assert.equal(await overdueLeaf.count(), 1, 'an 已超期 test in the red level')
    assert.equal(
      (await overdueLeaf.locator('[data-testid="condition-value-bool"] .is-active').innerText()).trim(),
      '是',
    )
    // the scope: 办件类型 = 承诺件
    assert.match(await byTestId(page, 'rule-scope').innerText(), /办件类型/)

    // --- saved back unchanged: a new version, no 400 ---
    const saved = page.waitForResponse((r) => isApi(r, '/warning-rules/approval_overdue', 'PUT'))
    await byTestId(page, 'rule-save').click()
    const put = await saved
    assert.equal(put.status(), 200, `PUT answered ${put.status()}: ${await put.text()}`)
    assert.equal((await put.json()).version, version + 1)
    await page.waitForFunction(
      (v) => document.querySelector('[data-testid="rule-version"]')?.textContent?.trim() === `v${v}`,
      version + 1,
    )
    assert.equal(await page.locator('[data-testid="rule-problems"]').count(), 0, 'no problems listed')

    // --- 规则仿真 of this rule, edited but not saved, over the last 365 days ---
    // (issue 16 item 2: the unsaved edit goes along, no 未保存 confirmation)
    const yellowInput = usedLeaf.locator('[data-testid="condition-value-number"] input')
    await yellowInput.fill('60')
    await yellowInput.press('Tab')
    const ruleLoaded = page.waitForResponse((r) => isApi(r, '/warning-rules/approval_overdue'))
    await byTestId(page, 'rule-simulate').click()
    await page.waitForURL((u) => u.pathname === '/monitoring/simulation' && u.searchParams.get('rule') === 'approval_overdue')
    assert.equal((await ruleLoaded).status(), 200)
    await byTestId(page, 'sim-rule').filter({ hasText: 'approval_overdue' }).waitFor({ state: 'visible' })
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="condition-value-number"] input')].some((i) => i.value === '60'),
    )

    const now = new Date()
    const from = ymd(new Date(now.getTime() - 364 * 86_400_000))
    const to = ymd(now)
    const [start, end] = [byTestId(page, 'sim-range').locator('input').nth(0), byTestId(page, 'sim-range').locator('input').nth(1)]
    await start.click()
    await start.fill(from)
    await end.click()
    await end.fill(to)
    await end.press('Enter')
    await page.keyboard.press('Escape')
    assert.equal(await start.inputValue(), from)
    assert.equal(await end.inputValue(), to)

    const simulated = page.waitForResponse((r) => isApi(r, '/warning-rules/simulate', 'POST'), { timeout: 120_000 })
    await byTestId(page, 'sim-run').click()
    const sim = await simulated
    assert.equal(sim.status(), 200, `simulate answered ${sim.status()}: ${await sim.text()}`)
    const sent = sim.request().postDataJSON()
    assert.equal(sent.rule.code, 'approval_overdue')
    assert.match(JSON.stringify(sent.rule.levels[0]), /\b60\b/, 'the edited (unsaved) yellow threshold is simulated')
    assert.doesNotMatch(JSON.stringify(sent.rule.levels[0]), /\b80\b/, 'not the saved one')
    assert.ok(sent.from.startsWith(from) && sent.to.startsWith(to), `the period ${sent.from} – ${sent.to}`)
    const answer = await sim.json()
    const raised = Object.values(answer.by_level).reduce((a, b) => a + b, 0)
    assert.ok(answer.cases > 0, 'cases were evaluated')
    assert.ok(raised > 0, `the rule would have raised warnings: ${JSON.stringify(answer.by_level)}`)

    const result = byTestId(page, 'sim-result')
    await result.waitFor({ state: 'visible', timeout: 60_000 })
    const cases = Number((await byTestId(page, 'sim-cases').innerText()).replace(/\D/g, ''))
    assert.equal(cases, answer.cases, 'the card shows the number of evaluated cases')
    const cards = byTestId(page, 'sim-level')
    assert.equal(await cards.count(), 2, 'a card per level')
    const shown = (await cards.allInnerTexts()).map((s) => s.replace(/\s+/g, ' '))
    assert.ok(shown.some((s) => s.includes('黄灯') && s.includes(String(answer.by_level.yellow ?? 0))), `yellow count: ${shown}`)
    assert.ok(shown.some((s) => s.includes('红灯') && s.includes(String(answer.by_level.red ?? 0))), `red count: ${shown}`)
    assert.ok((await byTestId(page, 'sim-sample').locator('tbody tr').count()) > 0, 'sample cases are listed')
    const resultText = await result.innerText()
    assert.match(resultText, /按区划/, 'the same word as everywhere else (issue 16 item 9)')
    assert.doesNotMatch(resultText, /区县/)
  })
})

test('city operator: red pop-up, inbox badge, 全部已读', { timeout: 120_000 }, async (t) => {
  await withPage(t, async (page) => {
    await login(page, CITY.username, CITY.password)
    const listed = page.waitForResponse((r) => isApi(r, '/messages'))
    await page.goto(`${BASE_URL}/monitoring/messages`)
    const res = await listed
    assert.equal(res.status(), 200)
    const { unread } = await res.json()
    assert.ok(unread > 0, 'the city operator has unread messages')

    // the red pop-up: in the bottom-right corner, closing by itself (issue 16 item 10)
    const note = page.locator('.inbox-red-popup').first()
    await note.waitFor({ state: 'visible', timeout: 10_000 })
    const popup = (await note.locator('.el-notification__title').innerText()).trim()
    assert.ok(popup.includes('红灯'), `a red pop-up after login: ${popup}`)
    const box = await note.boundingBox()
    const view = page.viewportSize()
    assert.ok(box.y > view.height / 2 && box.x + box.width > view.width - 40, `in the bottom-right corner: ${JSON.stringify(box)}`)
    await note.waitFor({ state: 'detached', timeout: 20_000 })

    const table = byTestId(page, 'message-table')
    await table.locator('tbody tr').first().waitFor({ state: 'visible' })
    const badge = byTestId(page, 'topbar-inbox-badge').locator('sup')
    await badge.waitFor({ state: 'visible' })
    const shown = (await badge.innerText()).trim()
    assert.match(shown, /^\d+\+?$/, `the bell shows a number: ${shown}`)
    assert.equal(shown, unread > 99 ? '99+' : String(unread), 'the badge is the unread count')

    await byTestId(page, 'message-read-all').click()
    const read = page.waitForResponse((r) => isApi(r, '/messages/read', 'POST'))
    await page.locator('.el-message-box__btns .el-button--primary').click()
    const done = await read
    assert.equal(done.status(), 200)
    assert.deepEqual(done.request().postDataJSON(), { all: true })
    assert.ok((await done.json()).updated >= unread)

    await badge.waitFor({ state: 'hidden' })
    await page.waitForFunction(
      () => ![...document.querySelectorAll('[data-testid="message-table"] tbody tr')].some((tr) => tr.textContent.includes('未读')),
    )
    assert.ok(await byTestId(page, 'message-read-all').isDisabled(), 'nothing left to mark')
  })
})

test('朝阳区 operator: only 朝阳区 warnings, a warned case with its clocks', { timeout: 120_000 }, async (t) => {
  await withPage(t, async (page) => {
    await login(page, CHAOYANG.username, CHAOYANG.password)
    const regions = await page.evaluate(async () => (await fetch('/api/v1/regions')).json())
    const allowed = new Set(regions.map((r) => r.name))
    assert.ok(allowed.has('朝阳区') && !allowed.has('海淀区'), 'the operator’s subtree is 朝阳区')

    const { table, body } = await openWarnings(page)
    await closeRedPopup(page)
    assert.ok(body.total > 0, 'the 朝阳区 operator sees warnings')
    const shown = (await table.locator('tbody td.col-region').allInnerTexts()).map((s) => s.trim())
    assert.ok(shown.length > 0, 'rows have a 区划 column')
    for (const name of shown) assert.ok(allowed.has(name), `warning outside 朝阳区 listed: ${name}`)
    assert.ok(shown.includes('朝阳区'))

    // a warning on a case (not a consultation): its detail, then the case
    const caseRow = table
      .locator('tbody tr')
      .filter({ has: page.locator('[data-testid="warning-case-link"]', { hasText: /^BJ/ }) })
      .first()
    await caseRow.locator('[data-testid="warning-view"]').click()
    await page.waitForURL((u) => /^\/monitoring\/warnings\/\d+$/.test(u.pathname))
    const link = byTestId(page, 'warning-case-link')
    const caseCode = (await link.innerText()).trim()
    const detail = page.waitForResponse((r) => isApi(r, `/cases/${encodeURIComponent(caseCode)}`))
    await link.click()
    const res = await detail
    assert.equal(res.status(), 200)
    const { clocks, warnings } = await res.json()
    assert.ok(clocks.length > 0 && warnings.length > 0, 'the case has clocks and warnings')
    await page.waitForURL((u) => u.pathname === `/aggregation/cases/${encodeURIComponent(caseCode)}`)

    await page.getByRole('tab', { name: /时限与预警/ }).click()
    const panel = byTestId(page, 'case-clocks')
    await panel.waitFor({ state: 'visible' })
    const items = panel.locator('[data-testid="case-clock"]')
    assert.equal(await items.count(), clocks.length, 'one timeline entry per stage clock')
    const first = (await items.first().innerText()).replace(/\s+/g, ' ')
    assert.match(first, /时限 \d+ (工作日|自然日)/, `budget shown: ${first}`)
    assert.match(first, /已用 \d/, `used share shown: ${first}`)
    assert.match(first, /(剩余|超期) \d+/, `remaining shown: ${first}`)
    const rows = byTestId(page, 'case-warnings').locator('tbody tr')
    assert.equal(await rows.count(), warnings.length, 'the case’s warnings are listed')
  })
})
