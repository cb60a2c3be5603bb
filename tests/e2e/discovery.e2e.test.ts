import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import jsQR from 'jsqr'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verificationString } from '../../shared/fingerprint.js'
import { parseInvite, type Invite } from '../../shared/invite.js'
import { makeNamespaces, type Namespaces, type Process } from '../integration/discovery/netns.js'
import { AppPage } from './app-page.js'
import { ARTIFACTS, CHROMIUM } from './launch.js'

/**
 * Discovery and invites in the browser mode, as a person uses them. mDNS may only travel inside
 * network namespaces the test makes: a headless host runs in namespace a; the browser mode and
 * Chromium run in namespace b (Chromium through a small wrapper, since the page is served on b's
 * loopback). Without namespaces (no root, no iproute2) the suite fails saying why.
 */
let ns: Namespaces
let base: string
let server: Process
let ui: Process
let browser: Browser
let page: Page
let app: AppPage
let invite: Invite
let code: string
let verification: string

beforeAll(async () => {
  ns = await makeNamespaces()
  base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-e2e-nearby-')))
  await fs.mkdir(path.join(base, 'remote', 'photos'), { recursive: true })
  await fs.mkdir(path.join(base, 'local'))
  await fs.mkdir(ARTIFACTS, { recursive: true })
  server = ns.spawnNode(ns.a, [
    path.resolve('scripts/cli.mjs'),
    'server',
    path.join(base, 'remote'),
    '--host',
    '0.0.0.0',
    '--port',
    '0',
    '--name',
    'Lab host',
    '--data-dir',
    path.join(base, 'server-data'),
  ])
  const line = (prefix: string): Promise<string> =>
    server.line((l) => l.startsWith(prefix), 30_000).then((l) => l.slice(prefix.length).trim())
  const parsed = parseInvite(await line('Invite:'))
  if (!parsed.ok) throw new Error(parsed.error)
  invite = parsed.invite
  code = (await line('Access code:')).split(' ')[0]!
  verification = await line('Verification:')

  // The bundled browser mode, through the launcher, as `npm run ui` runs it.
  ui = ns.spawnNode(ns.b, [
    path.resolve('scripts/cli.mjs'),
    'ui',
    '--port',
    '0',
    '--settings-dir',
    path.join(base, 'settings'),
    '--cwd',
    path.join(base, 'local'),
  ])
  const url = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(
    await ui.line((l) => /http:\/\/127\.0\.0\.1:\d+\/\?token=/.test(l), 30_000),
  )![0]
  const wrapper = path.join(base, 'chromium-in-namespace')
  await fs.writeFile(wrapper, `#!/bin/sh\nexec ip netns exec ${ns.b} ${CHROMIUM} "$@"\n`, {
    mode: 0o755,
  })
  browser = await chromium.launch({
    executablePath: wrapper,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  })
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  page.on('pageerror', (err) => console.error('page error:', err))
  await page.goto(url)
  app = new AppPage(page)
})

afterAll(async () => {
  try {
    await browser?.close()
    for (const p of [ui, server].filter(Boolean)) {
      p.child.kill('SIGTERM')
      // Bounded: what is left is ended with the namespaces.
      await Promise.race([p.exited, new Promise((r) => setTimeout(r, 5_000))])
    }
  } finally {
    await ns?.remove()
    if (base) await fs.rm(base, { recursive: true, force: true })
  }
})

describe('finding hosts nearby', () => {
  it('lists the host of the other namespace with its address and that it needs a code', async () => {
    const item = app.id('nearby-host').filter({ hasText: 'Lab host' })
    await item.waitFor({ timeout: 10_000 })
    const text = await item.textContent()
    expect(text).toContain(`${ns.prefix}.1:${invite.port}`)
    expect(text).toContain('code needed')
    await page.screenshot({ path: path.join(ARTIFACTS, 'nearby.png') })
  })

  it('connects with one click, asks for the code, and shows the host’s verification string', async () => {
    await app.id('nearby-host').filter({ hasText: 'Lab host' }).click()
    await app.waitForText(
      app.id('connection-status'),
      `Access code needed for ${ns.prefix}.1:${invite.port}`,
    )
    expect(await app.id('first-contact-verification').textContent()).toBe(verification)
    await app.id('code-prompt-input').fill(code)
    await app.id('code-prompt-submit').click()
    await app.waitForText(app.id('connection-status'), `Connected to ${ns.prefix}.1:${invite.port}`)
    await app.bucket('photos').waitFor()
    await app.id('connect-toggle').click()
    await app.id('connect-code').waitFor()
  })
})

describe('invites', () => {
  it('a pasted invite connects and gives the code in one step', async () => {
    const link = `bucketshare://${ns.prefix}.1:${invite.port}/?fp=${invite.fingerprint}&code=${code}`
    await app.id('connect-host').fill(link)
    await app.id('connect-toggle').click()
    await app.waitForText(app.id('connection-status'), `Connected to ${ns.prefix}.1:${invite.port}`)
    // Authenticated: the host's buckets list, no code asked for.
    await app.bucket('photos').waitFor()
    expect(await app.id('code-prompt').count()).toBe(0)
    await app.id('connect-toggle').click()
  })

  it('the host panel shows an invite whose QR code decodes to its link', async () => {
    await app.id('host-folder').fill(path.join(base, 'local'))
    // The namespace has ports of its own: the default one is free.
    await app.id('host-port').fill('4567')
    await app.id('host-exposure-network').check()
    await app.id('host-name').fill('Browser host')
    await app.id('host-toggle').click()
    await app.id('host-invite-qr').waitFor()
    await app.waitForText(app.id('host-announced'), 'Announced nearby as Browser host')
    const link = await app.id('host-invite-link').inputValue()
    const shown = parseInvite(link)
    expect(shown.ok && shown.invite.host).toBe(`${ns.prefix}.2`)
    // Draws the SVG on a canvas, 8 px a module, and reads the pixels back for the decoder.
    // (Page code as text: this file is type-checked for Node, without the DOM's types.)
    const pixels = (await page.evaluate(`(async () => {
      const svg = document.querySelector('[data-testid="host-invite-qr"]')
      const size = svg.viewBox.baseVal.width * 8
      const image = new Image()
      image.src = 'data:image/svg+xml;base64,' + btoa(new XMLSerializer().serializeToString(svg))
      await image.decode()
      const canvas = document.createElement('canvas')
      canvas.width = canvas.height = size
      const context = canvas.getContext('2d')
      context.drawImage(image, 0, 0, size, size)
      return { size, data: Array.from(context.getImageData(0, 0, size, size).data) }
    })()`)) as { size: number; data: number[] }
    const decoded = jsQR(Uint8ClampedArray.from(pixels.data), pixels.size, pixels.size)
    expect(decoded?.data).toBe(link)
    const fingerprint = shown.ok ? shown.invite.fingerprint : ''
    expect(await app.id('host-verification').textContent()).toContain(
      verificationString(fingerprint),
    )
    await page.screenshot({ path: path.join(ARTIFACTS, 'invite.png'), fullPage: true })
  })
})
