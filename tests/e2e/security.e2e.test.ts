import fs from 'node:fs/promises'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../bench/free-port.js'
import { AppPage } from './app-page.js'
import { ARTIFACTS, launchApp, type LaunchedApp } from './launch.js'

let ui: LaunchedApp
let page: Page
let app: AppPage
let port: number
let shared: string

beforeAll(async () => {
  ui = await launchApp({ width: 1280, height: 860 })
  page = ui.page
  app = new AppPage(page)
  shared = path.join(ui.base, 'shared')
  await fs.mkdir(shared)
  await fs.mkdir(ARTIFACTS, { recursive: true })
  port = await freePort()
})

afterAll(async () => {
  await ui?.stop()
})

describe('a host on the network', () => {
  let code: string

  it('requires an access code by default and shows it with the certificate fingerprint', async () => {
    await app.id('host-folder').fill(shared)
    await app.id('host-port').fill(String(port))
    await app.id('host-exposure-network').check()
    expect(await app.id('host-require-code').isChecked()).toBe(true)
    await app.id('host-toggle').click()
    await app.id('host-access-code').waitFor()
    code = ((await app.id('host-access-code').textContent()) ?? '').trim()
    expect(code).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/)
    expect(await app.id('host-fingerprint').textContent()).toMatch(/^([0-9A-F]{4} ){7}[0-9A-F]{4}$/)
  })

  it('copies the access code, the fingerprint and the address, and never breaks a group', async () => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'])
    const clipboard = (): Promise<string> => page.evaluate('navigator.clipboard.readText()')
    const fingerprint = ((await app.id('host-fingerprint').textContent()) ?? '').trim()
    for (const [what, text] of [
      ['access code', code],
      ['fingerprint', fingerprint],
      ['address', `127.0.0.1:${port}`],
    ]) {
      await page
        .getByRole('button', { name: `Copy the ${what}` })
        .first()
        .click()
      await expect.poll(clipboard).toBe(text)
    }
    // In a narrow side panel the fingerprint wraps between groups of four, never inside one.
    await page.setViewportSize({ width: 800, height: 600 })
    // Not connected yet, the side panel shows at once; it folds away once connected.
    await app.id('side-toggle').waitFor()
    if (!(await app.id('side-panel').isVisible())) await app.id('side-toggle').click()
    await app.id('host-fingerprint').waitFor()
    const groups = app.id('host-fingerprint').locator('.group')
    expect(await groups.count()).toBe(8)
    const lines = await groups.evaluateAll((spans) => spans.map((s) => s.getClientRects().length))
    expect(lines).toEqual(Array(8).fill(1))
    const tops = new Set(
      await groups.evaluateAll((spans) => spans.map((s) => s.getBoundingClientRect().top)),
    )
    expect(tops.size).toBeGreaterThan(1)
    await page.setViewportSize({ width: 1280, height: 860 })
  })

  it('refuses a wrong code with 1150 AGF', async () => {
    await app.id('connect-host').fill('127.0.0.1')
    await app.id('connect-port').fill(String(port))
    await app.id('connect-code').fill('wrong-code')
    await app.id('connect-toggle').click()
    await app.waitForText(app.id('connect-error'), 'wrong access code')
    expect(await app.id('connect-error').textContent()).toContain('1150 AGF')
  })

  it('without a code, asks for it in place and lists nothing until it is given', async () => {
    for (const name of ['one', 'two', 'three', 'four']) await fs.mkdir(path.join(shared, name))
    await app.connectWithoutCode('127.0.0.1', port)
    await app.id('code-prompt').waitFor()
    expect(await app.id('bucket-item').count()).toBe(0)
    expect(await app.page.getByText('No buckets yet').count()).toBe(0)
    await app.giveCode('wrong-code')
    await app.waitForText(app.id('code-prompt-error'), '1150 AGF')
    expect(await app.messages()).toEqual([expect.stringContaining('wrong access code')])
    await page.screenshot({ path: path.join(ARTIFACTS, 'access-code.png'), animations: 'disabled' })
    // The Console says the same: nothing but auth works yet.
    await app.openConsole()
    expect(await app.run('ls_b')).toContain('1150 AGF access code required')
    await app.openGui()
    await app.giveCode(code)
    await app.waitForText(app.id('connection-status'), `Connected to 127.0.0.1:${port}`)
    await app.bucket('four').waitFor()
    expect(await app.id('bucket-item').count()).toBe(4)
    expect(await app.messages()).toEqual([])
    await app.id('connect-toggle').click()
    await app.waitForText(app.id('connection-status'), 'Not connected')
  })

  it('warns when the certificate changed and connects only once the person trusts it', async () => {
    await app.id('connect-code').fill(code)
    await app.connect('127.0.0.1', port)
    await app.id('connect-toggle').click()
    await app.waitForText(app.id('connection-status'), 'Not connected')
    // The host's certificate is replaced, as if another computer took its place.
    await app.id('host-toggle').click()
    await app.id('host-folder').waitFor()
    await fs.rm(path.join(ui.base, 'settings', 'tls-key.pem'))
    await fs.rm(path.join(ui.base, 'settings', 'tls-cert.pem'))
    await app.id('host-toggle').click()
    await app.id('host-fingerprint').waitFor()
    await app.id('connect-toggle').click()
    await app.id('certificate-changed').waitFor()
    expect(await app.id('certificate-changed').textContent()).toContain('certificate has changed')
    await page.screenshot({
      path: path.join(ARTIFACTS, 'certificate-changed.png'),
      animations: 'disabled',
    })
    await app.id('trust-certificate').click()
    await app.waitForText(app.id('connection-status'), `Connected to 127.0.0.1:${port}`)
  })
})
