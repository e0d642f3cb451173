// 3. Repeated wrong passwords lock the account; then even the right one is refused.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ADMIN, apiCall, apiLogin, loginError, submitLogin, uniqueName, withPage, BASE_URL } from './lib.mjs'

test('five wrong passwords lock the account', { timeout: 120_000 }, async (t) => {
  // A fresh user, created through the API as admin (cookie + CSRF header).
  const admin = await apiLogin(ADMIN.username, ADMIN.password)
  const username = uniqueName('e2e_lock')
  const password = 'Lock#Pass2024z'
  const created = await apiCall(admin, 'POST', '/users', {
    username,
    display_name: `锁定测试${username.slice(-4)}`,
    password,
    roles: ['city_operator'],
    scope: { kind: 'city', region_code: '110000', department_code: null },
  })
  assert.equal(created.status, 201, `create user: ${created.status} ${JSON.stringify(created.body)}`)

  await withPage(t, async (page) => {
    await page.goto(`${BASE_URL}/login`)
    let lockedAt = 0
    for (let attempt = 1; attempt <= 6; attempt++) {
      await submitLogin(page, username, `Wrong#Pass${attempt}x`)
      const err = await loginError(page)
      if (err.code === 'auth.locked') {
        assert.match(err.text, /锁定/, 'the locked message says 锁定')
        lockedAt = attempt
        break
      }
      assert.equal(err.code, 'auth.invalid_credentials', `attempt ${attempt}: ${err.code} ${err.text}`)
      assert.ok(err.text.length > 0, 'the server message is shown')
    }
    assert.ok(lockedAt >= 5, `locked already at attempt ${lockedAt}`)

    // The correct password does not get in while locked.
    const res = await submitLogin(page, username, password)
    assert.equal(res.status(), 423)
    const err = await loginError(page)
    assert.equal(err.code, 'auth.locked')
    assert.match(err.text, /锁定/)
    assert.ok(new URL(page.url()).pathname.startsWith('/login'), 'still on the login page')
  })
})
