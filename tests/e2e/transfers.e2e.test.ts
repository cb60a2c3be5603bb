import { execFileSync } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../bench/free-port.js'
import { AppPage } from './app-page.js'
import { launchApp, type LaunchedApp } from './launch.js'

let ui: LaunchedApp
let page: Page
let app: AppPage
let port: number
let shared: string
/** A small file system mounted as a bucket, to fill up. */
let tiny: string | undefined

const MiB = 1024 * 1024

/** What the cancelling click uses of the page's DOM (the tests are type-checked without it). */
interface InPageElement {
  getAttribute(name: string): string | null
  closest(selector: string): InPageElement | null
  querySelector(selector: string): InPageElement | null
  click(): void
}
type InPage = Pick<InPageElement, 'querySelector'>

/** A local file of `size` bytes to upload. */
async function localFile(name: string, size: number): Promise<string> {
  const file = path.join(ui.base, 'local', name)
  await fs.mkdir(path.dirname(file), { recursive: true })
  const handle = await fs.open(file, 'w')
  await handle.truncate(size)
  await handle.close()
  return file
}

/** The transfer rows of `name`. */
const rows = (name: string) =>
  app.id('transfer-item').filter({ has: page.locator('.transfer-name', { hasText: name }) })

/** Lines of the server log shown in the page that are uploads of `name` into `bucket`. */
async function uploadsLogged(bucket: string, name: string): Promise<string[]> {
  const log = (await app.id('host-log').innerText()).split('\n')
  return log.filter((line) => line.includes(`upload ${bucket} ${name} `))
}

/** Uploads `file` into the selected bucket and waits for its row to end. */
async function uploadAndWait(file: string): Promise<void> {
  await app.id('upload-input').setInputFiles(file)
  const row = rows(path.basename(file))
  await row.first().waitFor()
  await expect
    .poll(() => row.first().getByTestId('transfer-state').textContent())
    .not.toBe('running')
}

beforeAll(async () => {
  ui = await launchApp()
  page = ui.page
  app = new AppPage(page)
  shared = path.join(ui.base, 'shared')
  await fs.mkdir(shared)
  port = await freePort()
  await app.host(shared, port)
  await app.connect('127.0.0.1', port)
  await app.openGui()
})

afterAll(async () => {
  if (tiny) execFileSync('umount', [tiny])
  await ui?.stop()
})

describe('transfers in browser mode', () => {
  it('cancelling at about 40 % of 150 MiB leaves no file, one cancelled row, bytes sent once', async () => {
    await app.createBucket('big')
    await app.bucket('big').click()
    const file = await localFile('cancel-me.bin', 150 * MiB)
    await app.id('upload-input').setInputFiles(file)
    const row = rows('cancel-me.bin')
    // Clicked from inside the page as soon as the bar passes 40 %: a person's click, without the
    // delay of a round trip to the test.
    const at = await page.waitForFunction(
      () => {
        const { document } = globalThis as unknown as { document: InPage }
        const bar = document.querySelector('[aria-label="cancel-me.bin progress"]')
        const percent = Number(bar?.getAttribute('aria-valuenow') ?? 0)
        if (percent < 40) return false
        bar!.closest('li')!.querySelector('[data-testid="transfer-cancel"]')!.click()
        return percent
      },
      undefined,
      { polling: 'raf', timeout: 30_000 },
    )
    expect(await at.jsonValue()).toBeLessThan(100)
    await expect
      .poll(() => row.first().getByTestId('transfer-state').textContent())
      .toBe('cancelled')
    await expect
      .poll(() => uploadsLogged('big', 'cancel-me.bin'))
      .toEqual([expect.stringContaining('no answer') as unknown])
    await expect.poll(() => fs.readdir(path.join(shared, 'big'))).toEqual([])
    // A cancel and a dropped connection look alike to the server: it keeps what arrived of the
    // upload, invisible to listings, for a client to continue (resume_f); nothing else is left.
    await expect
      .poll(async () =>
        (await fs.readdir(path.join(shared, '.bucketshare', 'staging'))).filter(
          (n) => !/^[0-9a-f-]{36}\.(part|json)$/.test(n),
        ),
      )
      .toEqual([])
    expect(await row.count()).toBe(1)
    expect(await app.id('error-banner').count()).toBe(0)
    expect(await uploadsLogged('big', 'cancel-me.bin')).toHaveLength(1)
  })

  /** One failed row showing `reason`, no banner, and the upload in the host's log once. */
  async function refusedOnce(bucket: string, name: string, reason: string): Promise<void> {
    const row = rows(name)
    expect(await row.count()).toBe(1)
    expect(await row.getByTestId('transfer-state').textContent()).toBe('failed')
    expect(await row.innerText()).toContain(reason)
    expect(await app.id('error-banner').allInnerTexts()).toEqual([])
    const token = name.includes(' ') ? `"${name}"` : name
    await expect.poll(() => uploadsLogged(bucket, token)).toHaveLength(1)
  }

  it('an upload into a bucket deleted meanwhile fails once: no such bucket', async () => {
    await app.createBucket('gone')
    await app.bucket('gone').click()
    await fs.rm(path.join(shared, 'gone'), { recursive: true })
    await uploadAndWait(await localFile('late.bin', 4 * MiB))
    await refusedOnce('gone', 'late.bin', 'no such bucket')
  })

  it.each([
    ['con.txt', 'is a reserved device name on Windows'],
    ['trailing dot.', 'may not start with a space or end with a space or dot'],
  ])('an upload named %j fails once: %s', async (name, reason) => {
    await app.bucket('big').click()
    await uploadAndWait(await localFile(name, 2 * MiB))
    await refusedOnce('big', name, reason)
  })

  it('an upload onto a full disk fails once: disk full', async () => {
    tiny = path.join(shared, 'tiny')
    await fs.mkdir(tiny)
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', tiny])
    await app.createBucket('refresh')
    await app.bucket('refresh').click()
    await app.bucket('tiny').click()
    await uploadAndWait(await localFile('too big.bin', 3 * MiB))
    await refusedOnce('tiny', 'too big.bin', 'disk full')
  })

  it('an upload to a read-only host fails once with the reason', async () => {
    await app.id('host-toggle').click()
    await page.getByLabel(/Read-only/).check()
    await app.id('host-toggle').click()
    await app.waitForText(app.id('host-addresses'), `127.0.0.1:${port}`)
    await app.connect('127.0.0.1', port)
    await app.openGui()
    await app.bucket('big').click()
    await uploadAndWait(await localFile('not here.bin', MiB))
    await refusedOnce('big', 'not here.bin', 'the host shares this folder read-only')
  })
})
