import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../bench/free-port.js'
import { AppPage } from './app-page.js'
import { launchApp, type LaunchedApp } from './launch.js'

const run = promisify(execFile)

/** What the cancelling click uses of the page's DOM (the tests are type-checked without it). */
interface InPageElement {
  textContent: string | null
  closest(selector: string): InPageElement | null
  querySelector(selector: string): InPageElement | null
  click(): void
}
type InPage = { querySelectorAll(selector: string): Iterable<InPageElement> }

let ui: LaunchedApp
let page: Page
let app: AppPage
let shared: string
let bucket: string

/** Every file under `dir` with its sha256, and every empty folder (`path/`), by relative path. */
async function manifest(dir: string): Promise<Record<string, string>> {
  const found: Record<string, string> = {}
  const visit = async (at: string, rel: string): Promise<void> => {
    const entries = await fs.readdir(at, { withFileTypes: true })
    if (entries.length === 0 && rel) found[`${rel}/`] = 'folder'
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name
      if (e.isDirectory()) await visit(path.join(at, e.name), r)
      else
        found[r] = createHash('sha256')
          .update(await fs.readFile(path.join(at, e.name)))
          .digest('hex')
    }
  }
  await visit(dir, '')
  return found
}

/** A tree of Unicode and spaced names, 3+ levels, an empty folder, `count` small files and a big one. */
async function makeTree(dir: string, count: number): Promise<void> {
  await fs.mkdir(path.join(dir, 'jour un/matin tôt/日本'), { recursive: true })
  await fs.mkdir(path.join(dir, 'rien du tout'))
  await fs.writeFile(path.join(dir, 'jour un/matin tôt/日本/写真 1.txt'), 'photo')
  await fs.writeFile(path.join(dir, 'read me.txt'), 'top')
  await fs.writeFile(path.join(dir, 'jour un/big.bin'), Buffer.alloc(3 * 1024 * 1024, 7))
  for (let i = 0; i < count; i++)
    await fs.writeFile(path.join(dir, 'jour un', `f ${i}.txt`), `file ${i}`)
}

async function diffClean(a: string, b: string): Promise<void> {
  const { stdout } = await run('diff', ['-r', a, b])
  expect(stdout).toBe('')
}

/**
 * Drops local files or folders on the file area the way the system does (Chromium's own drag
 * data, so a folder arrives with its entries), through the DevTools protocol.
 */
async function dropLocal(paths: string[]): Promise<void> {
  await page.locator('.files').scrollIntoViewIfNeeded()
  const box = (await page.locator('.files').boundingBox())!
  const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 }
  const cdp = await page.context().newCDPSession(page)
  const data = { items: [], files: paths, dragOperationsMask: 1 }
  for (const type of ['dragEnter', 'dragOver', 'drop'] as const)
    await cdp.send('Input.dispatchDragEvent', { type, ...at, data })
  await cdp.detach()
}

/** The transfer rows of `name` going `direction`. */
const transferRows = (name: string, direction = 'upload') =>
  app
    .id('transfer-item')
    .filter({ has: page.locator('.transfer-name', { hasText: name }) })
    .filter({ has: page.locator(`.direction[title="${direction}"]`) })

/** Waits for the one transfer row of `name` going `direction` to end, and returns it. */
async function ended(name: string, state = 'done', direction = 'upload') {
  const row = transferRows(name, direction)
  await row.getByTestId('transfer-state').filter({ hasText: state }).waitFor({ timeout: 60_000 })
  expect(await row.count()).toBe(1)
  return row
}

beforeAll(async () => {
  ui = await launchApp()
  page = ui.page
  app = new AppPage(page)
  shared = path.join(ui.base, 'shared')
  await fs.mkdir(shared)
  const port = await freePort()
  await app.host(shared, port)
  await app.connect('127.0.0.1', port)
  await app.openGui()
  await app.createBucket('trees')
  await app.bucket('trees').click()
  bucket = path.join(shared, 'trees')
})

afterAll(async () => {
  await ui?.stop()
})

describe('folders in the file browser', () => {
  it('uploads a dropped folder as one transfer: files of total, its files listed, empty folders kept', async () => {
    const local = path.join(ui.base, 'local', 'Été 2026')
    await makeTree(local, 40)
    await dropLocal([local])
    const row = await ended('Été 2026')
    expect(await row.locator('.transfer-figures').textContent()).toContain('43 of 43 files')
    await row.getByTestId('transfer-items').locator('summary').click()
    await expect.poll(() => row.getByTestId('transfer-items').locator('li').count()).toBe(43)
    await row.getByTestId('transfer-items').locator('summary').click()
    await diffClean(local, path.join(bucket, 'Été 2026'))
    expect(await fs.readdir(path.join(bucket, 'Été 2026', 'rien du tout'))).toEqual([])
    await app.file('Été 2026').waitFor()
    expect(await app.file('Été 2026').getAttribute('data-folder')).toBe('true')
  })

  it('uploads a folder picked with Folder… as one transfer of its tree', async () => {
    const local = path.join(ui.base, 'local', 'picked folder')
    await makeTree(local, 5)
    // A folder picker lists files only: the empty folder is the one thing it cannot tell.
    await fs.rm(path.join(local, 'rien du tout'), { recursive: true })
    await app.id('upload-folder-input').setInputFiles(local)
    await ended('picked folder')
    await diffClean(local, path.join(bucket, 'picked folder'))
  })

  it('cancelling a tree upload stops the rest: one cancelled row, only whole files stored', async () => {
    const local = path.join(ui.base, 'local', 'many big')
    await fs.mkdir(local, { recursive: true })
    for (let i = 0; i < 40; i++)
      await fs.writeFile(path.join(local, `part ${i}.bin`), Buffer.alloc(4 * 1024 * 1024, i))
    await dropLocal([local])
    // Clicked from inside the page as soon as a file is whole: a person's click, without the
    // delay of a round trip to the test (the whole tree takes seconds).
    const at = await page.waitForFunction(
      () => {
        const { document } = globalThis as unknown as { document: InPage }
        const name = [...document.querySelectorAll('.transfer-name')].find(
          (n) => n.textContent === 'many big',
        )
        const row = name?.closest('li')
        const done = /(\d+) of 40 files/.exec(
          row?.querySelector('.transfer-figures')?.textContent ?? '',
        )
        if (!done || Number(done[1]) === 0) return false
        row!.querySelector('[data-testid="transfer-cancel"]')?.click()
        return Number(done[1])
      },
      undefined,
      { polling: 'raf', timeout: 60_000 },
    )
    expect(await at.jsonValue()).toBeLessThan(40)
    await ended('many big', 'cancelled')
    const stored = await fs.readdir(path.join(bucket, 'many big')).catch(() => [])
    expect(stored.length).toBeLessThan(40)
    const sha256 = async (file: string): Promise<string> =>
      createHash('sha256')
        .update(await fs.readFile(file))
        .digest('hex')
    for (const name of stored)
      expect(await sha256(path.join(bucket, 'many big', name))).toBe(
        await sha256(path.join(local, name)),
      )
    // Nothing of a cancelled file is left but what the server keeps to continue it.
    const staging = await fs.readdir(path.join(shared, '.bucketshare/staging')).catch(() => [])
    expect(staging.filter((n) => !/^[0-9a-f-]{36}\.(part|json)$/.test(n))).toEqual([])
  }, 120_000)

  it('downloads a selected folder as a tree into the folder chosen: every file the same, empty folders kept', async () => {
    // The folder dialog cannot be clicked: it answers with the page's own private folder.
    await page.evaluate(() => {
      const w = globalThis as unknown as {
        showDirectoryPicker: () => Promise<unknown>
        navigator: { storage: { getDirectory(): Promise<unknown> } }
      }
      w.showDirectoryPicker = () => w.navigator.storage.getDirectory()
    })
    await app.file('Été 2026').click()
    await app.id('download-button').click()
    const row = await ended('Été 2026', 'done', 'download')
    expect(await row.locator('.transfer-figures').textContent()).toContain('43 of 43 files')
    const downloaded = await page.evaluate(async () => {
      type Dir = {
        kind: 'directory'
        name: string
        values(): AsyncIterable<Dir | { kind: 'file'; name: string; getFile(): Promise<Blob> }>
      }
      const found: Record<string, string> = {}
      const hex = (b: ArrayBuffer): string =>
        [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('')
      const w = globalThis as unknown as {
        navigator: { storage: { getDirectory(): Promise<Dir> } }
        crypto: { subtle: { digest(a: string, d: ArrayBuffer): Promise<ArrayBuffer> } }
      }
      const visit = async (dir: Dir, rel: string): Promise<void> => {
        let any = false
        for await (const entry of dir.values()) {
          any = true
          const r = rel ? `${rel}/${entry.name}` : entry.name
          if (entry.kind === 'directory') await visit(entry, r)
          else {
            const bytes = await (await entry.getFile()).arrayBuffer()
            found[r] = hex(await w.crypto.subtle.digest('SHA-256', bytes))
          }
        }
        if (!any && rel) found[`${rel}/`] = 'folder'
      }
      await visit(await w.navigator.storage.getDirectory(), '')
      return found
    })
    const expected = Object.fromEntries(
      Object.entries(await manifest(path.join(ui.base, 'local', 'Été 2026'))).map(([k, v]) => [
        `Été 2026/${k}`,
        v,
      ]),
    )
    expect(downloaded).toEqual(expected)
  })

  it('renames with F2 and makes a new folder in the folder shown', async () => {
    await app.file('Été 2026').dblclick()
    await app.waitForText(app.id('breadcrumb'), 'Été 2026')
    await app.file('Été 2026/read me.txt').click()
    await page.keyboard.press('F2')
    await app.id('confirm-text').fill('lisez moi.txt')
    await app.id('confirm-ok').click()
    await app.file('Été 2026/lisez moi.txt').waitFor()
    expect(await fs.readFile(path.join(bucket, 'Été 2026/lisez moi.txt'), 'utf8')).toBe('top')
    await expect(fs.stat(path.join(bucket, 'Été 2026/read me.txt'))).rejects.toThrow()

    await app.id('new-folder').click()
    await app.id('confirm-text').fill('nouveau dossier')
    await app.id('confirm-ok').click()
    await app.file('Été 2026/nouveau dossier').waitFor()
    expect((await fs.stat(path.join(bucket, 'Été 2026/nouveau dossier'))).isDirectory()).toBe(true)
  })

  it('moves a file dragged onto a folder row, and back out onto the breadcrumb', async () => {
    await app.file('Été 2026/lisez moi.txt').dragTo(app.file('Été 2026/nouveau dossier'))
    await app.file('Été 2026/lisez moi.txt').waitFor({ state: 'detached' })
    expect(
      await fs.readFile(path.join(bucket, 'Été 2026/nouveau dossier/lisez moi.txt'), 'utf8'),
    ).toBe('top')
    await app.file('Été 2026/nouveau dossier').dblclick()
    await app.file('Été 2026/nouveau dossier/lisez moi.txt').dragTo(app.id('crumb-'))
    await app.file('Été 2026/nouveau dossier/lisez moi.txt').waitFor({ state: 'detached' })
    expect(await fs.readFile(path.join(bucket, 'lisez moi.txt'), 'utf8')).toBe('top')
    await app.id('crumb-').click()
    await app.file('lisez moi.txt').waitFor()
  })

  it('deletes a folder only once confirmed, saying how many files go with it', async () => {
    await app.file('Été 2026').click()
    await app.id('delete-files-button').click()
    const dialog = page.getByRole('alertdialog')
    // 43 uploaded, one of them moved out since.
    await app.waitForText(dialog, '42 files in all')
    await app.id('confirm-cancel').click()
    expect((await fs.stat(path.join(bucket, 'Été 2026'))).isDirectory()).toBe(true)
    await app.id('delete-files-button').click()
    await app.id('confirm-ok').click()
    await app.file('Été 2026').waitFor({ state: 'detached' })
    await expect(fs.stat(path.join(bucket, 'Été 2026'))).rejects.toThrow()
  })
})
