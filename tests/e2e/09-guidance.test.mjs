// 9. 情形引导 with the demo's trees: an applicant without an account answers
//    开办餐饮店“一件事” (a dependent question appears, an excluded option is
//    greyed out) and gets the materials list written out below; the city
//    operator is refused 容缺受理 for the demo applicant on the 失信名单 and
//    accepts another case against a printed commitment; the operator
//    configures a small tree in the editor (no JSON), is refused publishing
//    while one answer yields no material, fixes it and publishes.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BASE_URL, byTestId, closeRedPopup, login, pickVisibleOption, uniqueName, withPage } from './lib.mjs'

const CITY = { username: 'city', password: 'City@12345' }

/** company, own agent no, leased, hot + cold food, ≤ 300 m², no sign, sewage not to the network. */
const EXPECTED = [
  ['公司登记（备案）申请书', '1', '原件'],
  ['公司章程', '1', '原件'],
  ['法定代表人（经营者）身份证件', '1', '原件'],
  ['经营场所房屋产权证明', '1', '复印件'],
  ['房屋租赁合同', '1', '复印件'],
  ['食品经营许可申请书', '1', '原件'],
  ['食品安全管理制度文本', '1', '复印件'],
  ['经营场所平面布局图及设备布局、加工流程图', '2', '复印件'],
  ['从业人员健康证明', '1', '复印件'],
  ['冷食类食品加工专间设置说明', '1', '复印件'],
]

const choose = (page, question, option) => byTestId(page, `guide-o-${question}-${option}`).click()

test('an applicant answers 开办餐饮店 without logging in and gets the materials list', { timeout: 120_000 }, async (t) => {
  await withPage(t, async (page) => {
    await page.goto(`${BASE_URL}/guide`)
    await byTestId(page, 'guide-index-KBCYD').click()
    assert.match(await byTestId(page, 'guide-title').innerText(), /开办餐饮店/)
    assert.equal(new URL(page.url()).pathname, '/guide/KBCYD', 'no redirect to the login page')
    await choose(page, 'subject', 'company')
    await choose(page, 'agent', 'no')
    await choose(page, 'premises', 'leased')
    assert.equal(await byTestId(page, 'guide-q-sewage').count(), 0, 'the sewage question waits for 热食类')
    await choose(page, 'menu', 'hot')
    await choose(page, 'menu', 'cold')
    // 仅销售预包装食品 excludes the prepared-food options
    assert.ok(await byTestId(page, 'guide-o-menu-prepack').locator('input').isDisabled())
    await choose(page, 'area', 'small')
    await choose(page, 'sign', 'no')
    assert.ok(await byTestId(page, 'guide-submit').isDisabled(), 'the shown sewage question is unanswered')
    await choose(page, 'sewage', 'no')
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/public/guidance/KBCYD/answer')
    await byTestId(page, 'guide-submit').click()
    assert.equal((await answered).status(), 200)
    const rows = byTestId(page, 'guide-materials').locator('tbody tr')
    await rows.first().waitFor({ state: 'visible' })
    const got = []
    for (const row of await rows.all()) {
      const cells = (await row.locator('td').allInnerTexts()).map((s) => s.trim())
      got.push([cells[1], cells[2], cells[3]])
    }
    assert.deepEqual(got, EXPECTED)
    const items = await byTestId(page, 'guide-items').locator('tbody tr').allInnerTexts()
    assert.equal(items.length, 2, items.join(' | '))
    assert.ok(items[1].includes('食品经营许可') && items[1].includes('5 个工作日'), items[1])
    assert.ok((await byTestId(page, 'guide-token').innerText()).includes('.'), 'a signed token is shown')
  })
})

/** Open the 容缺受理 dialog and look a case up. */
async function lookUp(page, caseCode) {
  await page.goto(`${BASE_URL}/guidance/tolerance`)
  await byTestId(page, 'tol-new').click()
  await byTestId(page, 'tol-case').fill(caseCode)
  const prepared = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/tolerance/prepare/${caseCode}`)
  await byTestId(page, 'tol-lookup').click()
  assert.equal((await prepared).status(), 200)
  await byTestId(page, 'tol-credit').waitFor({ state: 'visible' })
  return (await byTestId(page, 'tol-credit').innerText()).trim()
}

test('a listed applicant is refused 容缺受理, another is accepted against a commitment', { timeout: 120_000 }, async (t) => {
  await withPage(t, async (page) => {
    await login(page, CITY.username, CITY.password)
    await closeRedPopup(page)
    const refused = await lookUp(page, 'DEMO-RR-0001')
    assert.match(refused, /不予容缺受理/)
    assert.match(refused, /失信/)
    assert.equal(await byTestId(page, 'tol-missing').count(), 0, 'no materials to choose for a refused applicant')
    assert.ok(await byTestId(page, 'tol-submit').isDisabled())
    await page.keyboard.press('Escape')

    const allowed = await lookUp(page, 'DEMO-XS-0002')
    assert.match(allowed, /未列入失信名单/)
    await byTestId(page, 'tol-missing').getByText('产妇出院小结').click()
    const accepted = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/tolerance' && r.request().method() === 'POST')
    await byTestId(page, 'tol-submit').click()
    assert.equal((await accepted).status(), 201)
    const commitment = await byTestId(page, 'tol-commitment').innerText()
    assert.ok(commitment.includes('DEMO-XS-0002') && commitment.includes('产妇出院小结') && commitment.includes('5 个工作日'), commitment)
    assert.ok(await byTestId(page, 'tol-print').isVisible())
  })
})

test('an operator configures a tree visually and publishes it once the coverage check passes', { timeout: 120_000 }, async (t) => {
  await withPage(t, async (page) => {
    await login(page, CITY.username, CITY.password)
    await closeRedPopup(page)
    const code = uniqueName('T').toUpperCase().replace(/_/g, '-')
    await page.goto(`${BASE_URL}/guidance/trees/new`)
    await byTestId(page, 'tree-code').fill(code)
    await byTestId(page, 'tree-name').fill('测试办理“一件事”')
    await page.getByRole('tab', { name: /材料目录/ }).click()
    await byTestId(page, 'material-add').click()
    await byTestId(page, 'material-name-0').fill('申请书')
    await page.getByRole('tab', { name: /问题与选项/ }).click()
    await byTestId(page, 'question-title-0').fill('谁来办理？')
    await byTestId(page, 'option-label-0-0').fill('本人')
    await byTestId(page, 'option-label-0-1').fill('代理人')
    await byTestId(page, 'option-materials-0-0').click()
    await pickVisibleOption(page, '申请书')
    const created = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/guidance/trees' && r.request().method() === 'POST')
    await byTestId(page, 'tree-save').click()
    assert.equal((await created).status(), 201)
    await page.waitForURL((u) => u.pathname === `/guidance/trees/${code}`)

    // 代理人 brings nothing: publishing is refused and the empty path is named.
    await byTestId(page, 'tree-publish').click()
    const result = byTestId(page, 'coverage-result')
    await result.waitFor({ state: 'visible' })
    const text = await result.innerText()
    assert.match(text, /未通过/)
    assert.match(text, /谁来办理：代理人/)

    await byTestId(page, 'option-materials-0-1').click()
    await pickVisibleOption(page, '申请书')
    const published = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/guidance/trees/${code}/publish`)
    await byTestId(page, 'tree-publish').click()
    assert.equal((await published).status(), 200)
    await page.waitForFunction(() => document.querySelector('[data-testid="tree-status"]')?.textContent?.includes('已发布'))
  })
})
