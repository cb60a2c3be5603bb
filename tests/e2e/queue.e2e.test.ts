import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type BucketServer } from '../../electron/server/index.js'
import { humanSize } from '../../shared/format.js'
import { slowLink, type SlowLink } from '../integration/app/slow-link.js'
import { AppPage } from './app-page.js'
import { launchApp, type LaunchedApp } from './launch.js'

const MiB = 1024 * 1024
/** Slow enough that the test clicks while an upload of a few MiB still runs. */
const SLOW = 2 * MiB

let ui: LaunchedApp
let app: AppPage
let server: BucketServer
let link: SlowLink
let shared: string
/** The server's log lines. */
const logs: string[] = []

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')

/** A local file of random bytes. */
async function localFile(name: string, size: number): Promise<{ file: string; sha: string }> {
  const file = path.join(ui.base, 'local', name)
  await fs.mkdir(path.dirname(file), { recursive: true })
  const content = randomBytes(size)
  await fs.writeFile(file, content)
  return { file, sha: sha256(content) }
}

const row = (name: string) =>
  app
    .id('transfer-item')
    .filter({ has: app.page.locator('.transfer-name', { hasText: name }) })
    .first()
const state = (name: string) => row(name).getByTestId('transfer-state').textContent()
const percent = async (name: string) =>
  Number(await row(name).getByRole('progressbar').getAttribute('aria-valuenow'))

/** Connects the page to the test's server, through the slow link, without TLS. */
async function connect(): Promise<void> {
  await app.id('connect-host').fill('127.0.0.1')
  await app.id('connect-port').fill(String(link.port))
  await app.id('connect-encrypted').uncheck()
  await app.id('connect-toggle').click()
  await app.waitForText(app.id('connection-status'), `Connected to 127.0.0.1:${link.port}`)
}

beforeAll(async () => {
  ui = await launchApp()
  app = new AppPage(ui.page)
  shared = path.join(ui.base, 'shared')
  await fs.mkdir(path.join(shared, 'b'), { recursive: true })
  server = await startServer({ root: shared, port: 0, host: '127.0.0.1' })
  server.on('log', ({ text }) => logs.push(text))
  link = await slowLink(server.port, SLOW)
  await connect()
  await app.openGui()
  await app.bucket('b').click()
})

afterAll(async () => {
  await ui?.stop()
  await link?.close()
  await server?.close()
})

describe('the transfer queue in browser mode', () => {
  it('pauses and resumes an upload from its row and with the buttons for all', async () => {
    link.rate = SLOW
    const { file, sha } = await localFile('pause-me.bin', 12 * MiB)
    await app.id('upload-input').setInputFiles(file)
    await expect.poll(() => percent('pause-me.bin')).toBeGreaterThan(0)
    await row('pause-me.bin').getByTestId('transfer-pause').click()
    await expect.poll(() => state('pause-me.bin')).toBe('paused')
    await row('pause-me.bin').getByTestId('transfer-resume').click()
    await expect.poll(() => state('pause-me.bin')).toBe('running')
    await app.id('transfers-pause-all').click()
    await expect.poll(() => state('pause-me.bin')).toBe('paused')
    expect(await app.id('transfers-pause-all').count()).toBe(0)
    link.rate = Infinity
    await app.id('transfers-resume-all').click()
    await expect.poll(() => state('pause-me.bin'), { timeout: 30_000 }).toBe('done')
    expect(sha256(await fs.readFile(path.join(shared, 'b', 'pause-me.bin')))).toBe(sha)
    expect(await app.id('error-banner').count()).toBe(0)
  })

  it('survives the app process being killed: the queue is listed again and continues', async () => {
    link.rate = SLOW
    // Larger than the kernel can hold on its way (here up to 32 MiB received + 4 MiB sent per
    // loopback connection; a connection reused from the fast end of the test above has grown
    // them): a smaller file was all written before the kill, and arrived whole.
    const local = await localFile('survivor.bin', 64 * MiB)
    const fromPage = await localFile('from-page.bin', 48 * MiB)
    // A local path (typed in the Console) can be read again after a restart; the page's file not.
    await app.openConsole()
    await app.id('console-input').fill('upload local/survivor.bin b')
    await app.id('console-input').press('Enter')
    await app.openGui()
    await app.id('upload-input').setInputFiles(fromPage.file)
    await expect.poll(() => percent('survivor.bin')).toBeGreaterThan(0)
    await expect.poll(() => percent('from-page.bin')).toBeGreaterThan(0)

    // The queue is written at most every half second: once both are on disk, the process dies.
    const queued = async (): Promise<string[]> =>
      (
        JSON.parse(await fs.readFile(path.join(ui.base, 'settings', 'transfers.json'), 'utf8')) as {
          transfers: { info: { name: string } }[]
        }
      ).transfers
        .map((t) => t.info.name)
        .sort()
    await expect.poll(queued).toEqual(['from-page.bin', 'survivor.bin'])
    // The host is out of reach while the app starts again, and takes in what was on its way.
    link.down = true
    await ui.restart('SIGKILL')
    link.rate = Infinity
    // What the host kept of the upload, from its log: `<address> upload of … cut: <n> bytes kept`.
    const keptBytes = (): number | undefined => {
      const address = logs.find((l) => l.includes(' upload b survivor.bin '))?.split(' ')[0]
      const line = logs.find((l) => l.startsWith(`${address} upload of `) && l.includes(' cut: '))
      return line ? Number(/cut: (\d+) bytes kept/.exec(line)?.[1]) : undefined
    }
    // Logged once what arrived is on disk: on a busy disk, after more than a default poll (1 s).
    await expect.poll(keptBytes, { timeout: 20_000 }).toBeGreaterThan(0)
    const kept = keptBytes()!
    app = new AppPage(ui.page)
    await app.openGui()
    await expect.poll(() => state('from-page.bin')).toBe('failed')
    expect(await row('from-page.bin').innerText()).toContain('upload it again')
    // Listed again, trying to reach the host by itself.
    await expect
      .poll(() => row('survivor.bin').getByTestId('transfer-figures').innerText())
      .toMatch(/^cannot reach 127\.0\.0\.1:\d+: .*, retrying in \d+ s$/)
    link.down = false
    await app.waitForText(app.id('connection-status'), `Connected to 127.0.0.1:${link.port}`)
    await expect.poll(() => state('survivor.bin'), { timeout: 30_000 }).toBe('done')
    // Continued from what the host kept, and whole.
    expect(await row('survivor.bin').innerText()).toContain(`resumed at ${humanSize(kept)}`)
    expect(sha256(await fs.readFile(path.join(shared, 'b', 'survivor.bin')))).toBe(local.sha)
    await expect.poll(() => fs.readdir(path.join(shared, 'b'))).not.toContain('from-page.bin')
  })
})
