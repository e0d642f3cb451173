// 14. Data governance on the demo: the administrator manages the region tree
//     (attributes, merge with history, delete refused while referenced), and
//     the 朝阳区 operator schedules nightly quality runs and checks a sample of cases against the approval
//     system's operation logs, finding the demo's planted anomalies and reading
//     a case's log chain beside its timeline.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ADMIN, BASE_URL, byTestId, closeRedPopup, login, pickVisibleOption, withPage } from './lib.mjs'

const CHAOYANG = { username: 'chaoyang', password: 'Chaoyang@123' }

const isApi = (r, path, method = 'GET') =>
  new URL(r.url()).pathname === `/api/v1${path}` && r.request().method() === method

async function selectRegion(page, name) {
  const tree = byTestId(page, 'region-tree')
  await byTestId(page, 'region-filter').fill(name)
  const loaded = page.waitForResponse((r) => new URL(r.url()).pathname.startsWith('/api/v1/regions/'))
  await tree.locator('.el-tree-node__content').filter({ hasText: name }).first().click()
  assert.equal((await loaded).status(), 200)
}

test('regions are edited and merged with their history kept', { timeout: 120_000 }, async (t) => {
  await withPage(t, async (page) => {
    await login(page, ADMIN.username, ADMIN.password)
    await page.goto(`${BASE_URL}/system/regions`)
    await byTestId(page, 'region-tree').locator('.el-tree-node').first().waitFor({ state: 'visible' })

    await selectRegion(page, '三里屯街道')
    const detail = byTestId(page, 'region-detail')
    await byTestId(page, 'region-edit').click()
    await byTestId(page, 'region-form-add-attribute').click()
    const dialog = page.locator('.el-dialog').filter({ hasText: '编辑区划' })
    await dialog.locator('input[placeholder="名称"]').fill('面积')
    await dialog.locator('input[placeholder="值"]').fill('2.4平方公里')
    const saved = page.waitForResponse((r) => isApi(r, '/regions/110105004', 'PUT'))
    await byTestId(page, 'region-form-submit').click()
    assert.equal((await saved).status(), 200)
    await detail.getByRole('cell', { name: '2.4平方公里', exact: true }).waitFor({ state: 'visible' })
    assert.ok((await byTestId(page, 'region-history').innerText()).includes('面积：2.4平方公里'), 'the change is in the history')

    await selectRegion(page, '左家庄街道')
    await byTestId(page, 'region-merge').click()
    await byTestId(page, 'region-merge-target').click()
    await pickVisibleOption(page, '三里屯街道')
    const merged = page.waitForResponse((r) => isApi(r, '/regions/110105005/merge', 'POST'))
    await byTestId(page, 'region-merge-submit').click()
    assert.equal((await merged).status(), 200)
    await byTestId(page, 'region-merged').waitFor({ state: 'visible' })
    assert.ok((await byTestId(page, 'region-history').innerText()).includes('合并'))

    // 三里屯街道 is now referenced by the merged street: it cannot be deleted.
    await selectRegion(page, '三里屯街道')
    assert.ok(await byTestId(page, 'region-delete').isDisabled(), 'delete is refused while referenced')
    assert.ok((await byTestId(page, 'region-references').innerText()).includes('下级区划'))
  })
})

test('a schedule is added and an operation-log check finds the planted anomalies', { timeout: 120_000 }, async (t) => {
  await withPage(t, async (page) => {
    await login(page, CHAOYANG.username, CHAOYANG.password)
    await closeRedPopup(page)
    await page.goto(`${BASE_URL}/quality`)
    await byTestId(page, 'oplog-checks').waitFor({ state: 'visible' })

    // A nightly schedule is added beside the trend of finished runs.
    await byTestId(page, 'schedule-cron').fill('15 3 * * 1-5')
    const scheduled = page.waitForResponse((r) => isApi(r, '/quality/schedules', 'POST'))
    await byTestId(page, 'schedule-add').click()
    assert.equal((await scheduled).status(), 201)
    await byTestId(page, 'schedule-table').getByText('15 3 * * 1-5').waitFor({ state: 'visible' })

    const started = page.waitForResponse((r) => isApi(r, '/quality/oplog-checks', 'POST'))
    await byTestId(page, 'oplog-start').click()
    assert.equal((await started).status(), 201)
    const counts = byTestId(page, 'oplog-counts')
    await counts.locator('tbody tr').first().waitFor({ state: 'visible' })
    const text = await counts.innerText()
    for (const code of ['oplog.out_of_order', 'oplog.missing_node', 'oplog.unknown_step', 'oplog.after_completion']) {
      assert.ok(text.includes(code), `${code} is found`)
    }

    const listed = page.waitForResponse(
      (r) => new URL(r.url()).pathname.endsWith('/anomalies') && new URL(r.url()).searchParams.get('code') === 'oplog.unknown_step',
    )
    await counts.locator('tbody tr').filter({ hasText: 'oplog.unknown_step' }).click()
    assert.equal((await listed).status(), 200)
    const anomalies = byTestId(page, 'oplog-anomalies')
    await anomalies.locator('tbody tr').filter({ hasText: 'oplog.unknown_step' }).first().waitFor({ state: 'visible' })

    const chain = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/operation-logs'))
    await anomalies.locator('tbody tr').first().locator('button').first().click()
    assert.equal((await chain).status(), 200)
    await byTestId(page, 'oplog-chain').getByText('未知步骤').first().waitFor({ state: 'visible' })
    assert.ok((await byTestId(page, 'oplog-case-timeline').innerText()).includes('受理'), 'the case timeline is beside the log')
  })
})
