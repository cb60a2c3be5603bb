import fs from 'node:fs/promises'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Readable } from 'node:stream'
import { BucketClient, streamSource } from '../../electron/client/index.js'
import { startServer, type BucketServer } from '../../electron/server/index.js'
import { BUSY_INTERVAL_MS } from '../../shared/refresh.js'
import { freePort } from '../../bench/free-port.js'
import { AppPage } from './app-page.js'
import { ARTIFACTS, e2eMode, launchApp, type LaunchedApp } from './launch.js'

/** What a person who just installed BucketShare meets in the browser mode, in the first hour. */

let ui: LaunchedApp
let page: Page
let app: AppPage
let shared: string
let port: number

beforeAll(async () => {
  ui = await launchApp()
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

// Browser mode's own page: the desktop app has no address to open.
describe.runIf(e2eMode() === 'browser')('the address without its token', () => {
  it('shows one page that says to open the printed address, with the icon', async () => {
    const other = await page.context().browser()!.newPage()
    try {
      const response = await other.goto(new URL('/', page.url()).href)
      expect(response?.status()).toBe(401)
      await other.getByTestId('no-token').waitFor()
      expect(await other.getByTestId('no-token').textContent()).toContain('?token=')
      expect(await other.locator('input').count()).toBe(0)
      const icon = await other.request.get(new URL('/favicon.ico', page.url()).href)
      expect(icon.headers()['content-type']).toBe('image/svg+xml')
      await other.screenshot({ path: path.join(ARTIFACTS, 'no-token.png') })
    } finally {
      await other.close()
    }
  })
})

describe('one message per failed attempt', () => {
  it('says why Start hosting is greyed out for port 70000', async () => {
    await app.id('host-folder').fill(shared)
    await app.id('host-port').fill('70000')
    expect(await app.id('host-toggle').isDisabled()).toBe(true)
    expect(await app.id('host-problem').textContent()).toContain('from 1 to 65535')
  })

  it('tells a port in use once, and forgets it when the port changes', async () => {
    const busy = net.createServer()
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r))
    const taken = (busy.address() as net.AddressInfo).port
    try {
      await app.id('host-port').fill(String(taken))
      await app.id('host-toggle').click()
      await app.waitForText(app.id('host-error'), 'already in use')
      expect(await app.messages()).toEqual([expect.stringContaining('already in use')])
      await app.id('host-port').fill(String(port))
      expect(await app.messages()).toEqual([])
    } finally {
      busy.close()
    }
  })

  it('tells each failed connection once, in the Connect panel, and clears it at the next try', async () => {
    await app.id('connect-host').fill('127.0.0.1')
    await app.id('connect-port').fill(String(await freePort()))
    await app.id('connect-toggle').click()
    await app.waitForText(app.id('connect-error'), 'refused')
    expect(await app.messages()).toEqual([expect.stringContaining('refused')])
    // A web server is not a BucketShare server, and is not remembered.
    const web = http.createServer((_req, res) => res.end('hello'))
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r))
    const webPort = (web.address() as net.AddressInfo).port
    try {
      await app.id('connect-encrypted').uncheck()
      await app.id('connect-port').fill(String(webPort))
      await app.id('connect-toggle').click()
      await app.waitForText(app.id('connect-error'), 'not a BucketShare server')
      expect(await app.messages()).toEqual([expect.stringContaining('not a BucketShare server')])
      expect(await app.id('recent-peer').count()).toBe(0)
    } finally {
      web.closeAllConnections()
      web.close()
      await app.id('connect-encrypted').check()
    }
  })
})

describe('other clients', () => {
  let other: BucketClient

  afterAll(() => other?.close())

  it('their buckets and files show within 2 seconds, without a click', async () => {
    await app.host(shared, port)
    await app.connect('127.0.0.1', port)
    await app.openGui()
    other = await BucketClient.connect({ host: '127.0.0.1', port, tls: {} })
    await other.createBucket('from elsewhere')
    await app.bucket('from elsewhere').waitFor({ timeout: 2_000 })
    await app.bucket('from elsewhere').click()
    await other.upload({
      bucket: 'from elsewhere',
      name: 'news.txt',
      source: streamSource(5, Readable.from([Buffer.from('hello')])),
    })
    await app.file('news.txt').waitFor({ timeout: 2_000 })
    await other.deleteFile('from elsewhere', 'news.txt')
    await app.file('news.txt').waitFor({ state: 'detached', timeout: 2_000 })
    // Made on disk behind the server's back, too.
    await fs.mkdir(path.join(shared, 'dropped in'))
    await app.bucket('dropped in').waitFor({ timeout: 2_000 })
  })

  it('F5 and the refresh button list again at once', async () => {
    await fs.writeFile(path.join(shared, 'from elsewhere', 'f5.txt'), 'x')
    await page.keyboard.press('F5')
    await app.file('f5.txt').waitFor({ timeout: 2_000 })
    await app.id('refresh').click()
    await app.file('f5.txt').waitFor()
  })

  it("keeps the app's own listings out of the Console", async () => {
    await app.openConsole()
    const transcript = (await app.id('console-output').textContent()) ?? ''
    expect(transcript).not.toContain('ls_b')
    expect(transcript).not.toContain('changes')
    expect(await app.id('console-housekeeping').isChecked()).toBe(false)
    await app.id('console-housekeeping').check()
    await app.id('console-auto-entry').first().waitFor()
    await app.id('console-housekeeping').uncheck()
    await app.openGui()
  })
})

describe('files', () => {
  const local = (name: string): string => path.join(ui.base, 'local', name)

  it('asks before an upload replaces a file: keep both, replace, skip, apply to all', async () => {
    await fs.mkdir(path.join(ui.base, 'local'), { recursive: true })
    await app.bucket('from elsewhere').click()
    await fs.writeFile(local('f5.txt'), 'mine')
    await app.id('upload-input').setInputFiles([local('f5.txt')])
    await app.id('replace-dialog').waitFor()
    expect(await app.id('replace-dialog').textContent()).toContain('“f5.txt” is already in')
    await app.id('replace-keep').click()
    await app.file('f5 (1).txt').waitFor()
    expect(await fs.readFile(path.join(shared, 'from elsewhere', 'f5.txt'), 'utf8')).toBe('x')
    expect(await fs.readFile(path.join(shared, 'from elsewhere', 'f5 (1).txt'), 'utf8')).toBe(
      'mine',
    )
    // Two same-name files: one answer for both.
    await fs.writeFile(local('f5 (1).txt'), 'second')
    await app.id('upload-input').setInputFiles([local('f5.txt'), local('f5 (1).txt')])
    await app.id('replace-all').check()
    await app.id('replace-replace').click()
    // The two uploads run side by side: either may land first.
    const both = (): Promise<string[]> =>
      Promise.all(
        ['f5.txt', 'f5 (1).txt'].map((n) =>
          fs.readFile(path.join(shared, 'from elsewhere', n), 'utf8'),
        ),
      )
    await expect.poll(both).toEqual(['mine', 'second'])
    expect(await app.id('replace-dialog').count()).toBe(0)
    await app.id('upload-input').setInputFiles([local('f5.txt')])
    await app.id('replace-skip').click()
    expect(await app.id('replace-dialog').count()).toBe(0)
    expect((await fs.readdir(path.join(shared, 'from elsewhere'))).sort()).toEqual([
      'f5 (1).txt',
      'f5.txt',
    ])
  })

  it('downloads on double-click, and offers download, delete and copy name on right-click', async () => {
    const saved = await ui.download('f5.txt', () => app.file('f5.txt').dblclick())
    expect(await fs.readFile(saved, 'utf8')).toBe('mine')
    await app.file('f5 (1).txt').click({ button: 'right' })
    await app.id('file-menu').waitFor()
    expect(await app.file('f5 (1).txt').getAttribute('aria-selected')).toBe('true')
    await app.id('menu-delete').click()
    await app.id('confirm-ok').click()
    await app.file('f5 (1).txt').waitFor({ state: 'detached' })
  })
})

describe('a narrow window', () => {
  it('works at 800×600: the side panel folds away, names, filter and Delete fit', async () => {
    await page.setViewportSize({ width: 800, height: 600 })
    await app.id('side-toggle').waitFor()
    expect(await app.id('side-panel').isVisible()).toBe(false)
    await app.file('f5.txt').click()
    const name = await app.file('f5.txt').locator('.col-name').boundingBox()
    expect(name!.width).toBeGreaterThan(200)
    // The date and time are whole, even the longest ones in a selected (bold) row, never cut.
    const modified = app.file('f5.txt').getByTestId('file-modified')
    expect(await modified.textContent()).toMatch(/\d/)
    const room = await modified.evaluate((cell) => {
      cell.textContent = new Date(2026, 11, 31, 12, 59).toLocaleString(undefined, {
        dateStyle: 'medium',
        timeStyle: 'short',
      })
      const range = cell.ownerDocument.createRange()
      range.selectNodeContents(cell)
      const style = cell.ownerDocument.defaultView!.getComputedStyle(cell)
      const inner =
        cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
      return inner - range.getBoundingClientRect().width
    })
    expect(room).toBeGreaterThanOrEqual(0)
    for (const id of ['file-filter', 'delete-files-button', 'download-button', 'refresh']) {
      const box = await app.id(id).boundingBox()
      expect(box, id).not.toBeNull()
      expect(box!.x + box!.width, id).toBeLessThanOrEqual(800)
    }
    await page.screenshot({
      path: path.join(ARTIFACTS, 'layout-800x600.png'),
      animations: 'disabled',
    })
    await app.id('side-toggle').click()
    await app.id('connect-toggle').waitFor()
    // With the side panel open beside it, the table keeps room for names and leaves out dates.
    const squeezed = await app.file('f5.txt').locator('.col-name').boundingBox()
    expect(squeezed!.width).toBeGreaterThan(150)
    expect(await modified.isVisible()).toBe(false)
    await page.screenshot({
      path: path.join(ARTIFACTS, 'layout-800x600-side.png'),
      animations: 'disabled',
    })
    await app.id('side-toggle').click()
    await page.setViewportSize({ width: 1280, height: 800 })
  })
})

describe('a reload', () => {
  it('keeps the connection with its own port, the console, the server log and the transfers', async () => {
    await app.openConsole()
    expect(await app.run('ls_b')).toContain('500 BLS')
    const entries = await app.id('console-entry').count()
    const transfers = await app.id('transfer-item').count()
    expect(transfers).toBeGreaterThan(0)
    await page.reload()
    await app.waitForText(app.id('connection-status'), `Connected to 127.0.0.1:${port}`)
    expect(await app.id('connect-port').inputValue()).toBe(String(port))
    await app.openConsole()
    expect(await app.id('console-entry').count()).toBe(entries)
    await app.openGui()
    expect(await app.id('transfer-item').count()).toBe(transfers)
    await app.waitForText(app.id('host-log'), 'ls_b -> 500 BLS')
  })
})

describe('dropping 500 files', () => {
  let server: BucketServer
  const logs: string[] = []

  afterAll(() => server?.close())

  it('makes a bounded number of listings, however many files finish', async () => {
    const root = path.join(ui.base, 'many')
    await fs.mkdir(path.join(root, 'inbox'), { recursive: true })
    server = await startServer({ root, port: 0 })
    server.on('log', ({ text }) => logs.push(text))
    await app.id('connect-toggle').click()
    await app.waitForText(app.id('connection-status'), 'Not connected')
    await app.id('connect-encrypted').uncheck()
    await app.connect('127.0.0.1', server.port)
    await app.bucket('inbox').click()
    const dir = path.join(ui.base, 'five hundred')
    await fs.mkdir(dir)
    const files = Array.from({ length: 500 }, (_, i) => path.join(dir, `file ${i}.txt`))
    await Promise.all(files.map((f, i) => fs.writeFile(f, `file ${i}`)))
    const before = logs.length
    const started = Date.now()
    await app.id('upload-input').setInputFiles(files)
    const done = (): number =>
      logs.slice(before).filter((l) => / (upload|put_f) inbox .* -> 700 FUTBS/.test(l)).length
    await expect.poll(done, { timeout: 100_000, interval: 500 }).toBe(500)
    await app.waitForText(app.id('file-summary'), '500 files')
    const took = Date.now() - started
    const listings = logs
      .slice(before)
      .filter((l) => / (ls_f|ls_b)( |$)/.test(l.replace(/ -> .*/, ''))).length
    const uploads = logs.slice(before).filter((l) => / (upload|put_f) inbox /.test(l)).length
    expect(uploads).toBe(500)
    // Two listings (ls_b and ls_f) per refresh, at most one refresh per interval while uploads
    // run, and one when they settle; before, each upload made its own two.
    expect(listings).toBeLessThanOrEqual(2 * (Math.ceil(took / BUSY_INTERVAL_MS) + 2))
    expect(listings).toBeLessThan(100)
    console.log(`500 uploads in ${took} ms caused ${listings} listings`)
  }, 120_000)
})
