// 2. admin creates a district operator of 朝阳区 in the UI; that user logs in,
//    is forced to change the password, and then sees only 朝阳区 data.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ADMIN, BASE_URL, byTestId, login, logout, pickVisibleOption, uniqueName, withPage } from './lib.mjs'

test('a new district operator is forced to change password and sees only 朝阳区', { timeout: 180_000 }, async (t) => {
  const username = uniqueName('e2e_cy')
  const initialPassword = 'Init#Pass2024x'
  const newPassword = 'Chg#Pass2025y'

  await withPage(t, async (page) => {
    // --- admin creates the user through the 用户管理 dialog ---
    await login(page, ADMIN.username, ADMIN.password)
    await page.goto(`${BASE_URL}/system/users`)
    await byTestId(page, 'user-add').click()
    const dialog = page.locator('.el-dialog').filter({ has: byTestId(page, 'user-form-username') })
    await dialog.waitFor({ state: 'visible' })

    await byTestId(page, 'user-form-username').fill(username)
    await byTestId(page, 'user-form-display-name').fill(`朝阳测试${username.slice(-4)}`)
    await byTestId(page, 'user-form-password').fill(initialPassword)

    await byTestId(page, 'user-form-roles').click()
    await pickVisibleOption(page, '区级运营人员')
    await dialog.locator('.el-dialog__title').click() // close the dropdown

    await byTestId(page, 'user-form-scope-kind').getByText('区划', { exact: true }).click()
    await byTestId(page, 'user-form-region').click()
    await pickVisibleOption(page, '朝阳区')
    await dialog.locator('.el-dialog__title').click()

    const created = page.waitForResponse(
      (r) => r.url().endsWith('/api/v1/users') && r.request().method() === 'POST',
    )
    await byTestId(page, 'user-form-submit').click()
    const res = await created
    assert.equal(res.status(), 201, `create user answered ${res.status()}: ${await res.text()}`)
    const body = await res.json()
    assert.deepEqual(body.roles, ['district_operator'])
    assert.equal(body.scope.kind, 'region')
    assert.equal(body.scope.region_code, '110105')
    await dialog.waitFor({ state: 'hidden' })
    await page.locator('.el-message--success').filter({ hasText: username }).waitFor({ state: 'visible' })

    await logout(page)

    // --- the new user logs in and must change the password first ---
    await login(page, username, initialPassword)
    await page.waitForURL((u) => u.pathname === '/change-password')
    await byTestId(page, 'cp-old').fill(initialPassword)
    await byTestId(page, 'cp-new').fill(newPassword)
    await byTestId(page, 'cp-confirm').fill(newPassword)
    const changed = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/password'))
    await byTestId(page, 'cp-submit').click()
    assert.equal((await changed).status(), 204)
    await page.waitForURL((u) => u.pathname !== '/change-password')
    await byTestId(page, 'sidebar').waitFor({ state: 'visible' })

    // --- 部门管理 lists only departments of 朝阳区 ---
    const listed = page.waitForResponse((r) => r.url().includes('/api/v1/departments') && r.status() === 200)
    await page.goto(`${BASE_URL}/system/departments`)
    await listed
    const table = byTestId(page, 'department-table')
    await table.locator('tbody tr').first().waitFor({ state: 'visible' })
    const regionsShown = (await table.locator('tbody td.col-region').allInnerTexts()).map((s) => s.trim())
    assert.ok(regionsShown.length > 0, 'the district operator sees at least one department')
    for (const r of regionsShown) assert.equal(r, '朝阳区', `department outside 朝阳区 listed: ${r}`)
    assert.ok(!(await table.innerText()).includes('海淀区'), 'no 海淀区 department is listed')

    // --- 区划管理 shows 朝阳区 but not 海淀区 ---
    await page.goto(`${BASE_URL}/system/regions`)
    const tree = byTestId(page, 'region-tree')
    await tree.getByText('朝阳区', { exact: true }).first().waitFor({ state: 'visible' })
    assert.ok(!(await tree.innerText()).includes('海淀区'), 'the region tree does not show 海淀区')
  })
})
