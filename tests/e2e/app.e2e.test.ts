import { createHash, randomBytes } from 'node:crypto'
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

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')

beforeAll(async () => {
  ui = await launchApp()
  page = ui.page
  app = new AppPage(page)
  shared = path.join(ui.base, 'shared folder')
  await fs.mkdir(shared)
  await fs.mkdir(ARTIFACTS, { recursive: true })
  port = await freePort()
})

afterAll(async () => {
  await ui?.stop()
})

describe('BucketShare, end to end', () => {
  it('hosts a folder and connects to it', async () => {
    await app.host(shared, port)
    await app.connect('127.0.0.1', port)
    expect(await app.id('connection-status').textContent()).toContain(`127.0.0.1:${port}`)
  })

  it('creates a bucket, uploads a file with the file chooser and lists it with its size', async () => {
    await app.openGui()
    await app.createBucket('holiday photos')
    expect((await fs.stat(path.join(shared, 'holiday photos'))).isDirectory()).toBe(true)
    await app.bucket('holiday photos').click()
    const local = path.join(ui.base, 'beach day.jpg')
    await fs.writeFile(local, randomBytes(150 * 1024))
    await app.upload([local])
    expect(await app.file('beach day.jpg').getByTestId('file-size').textContent()).toContain(
      '150 KiB',
    )
    expect(await fs.readFile(path.join(shared, 'holiday photos', 'beach day.jpg'))).toEqual(
      await fs.readFile(local),
    )
    await app.id('transfer-item').first().waitFor()
    await app.waitForText(app.id('transfer-state'), 'done')
  })

  it('downloads the file with the same bytes', async () => {
    await app.file('beach day.jpg').click()
    const saved = await ui.download('beach day.jpg', () => app.id('download-button').click())
    expect(sha256(await fs.readFile(saved))).toBe(
      sha256(await fs.readFile(path.join(ui.base, 'beach day.jpg'))),
    )
    await page.screenshot({ path: path.join(ARTIFACTS, 'gui-tab.png'), animations: 'disabled' })
  })

  it('deletes the file after confirmation', async () => {
    await app.file('beach day.jpg').click()
    await app.id('delete-files-button').click()
    await app.id('confirm-ok').click()
    await app.file('beach day.jpg').waitFor({ state: 'detached' })
    expect(await fs.readdir(path.join(shared, 'holiday photos'))).toEqual([])
  })

  it('browses 100,000 files in 1,000 folders: folders first, scrolls to the end, opens one', async () => {
    const tree = path.join(shared, 'big tree')
    for (let folder = 0; folder < 1000; folder += 50)
      await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const dir = path.join(tree, `folder ${folder + i}`)
          await fs.mkdir(dir, { recursive: true })
          for (let f = 0; f < 100; f += 25)
            await Promise.all(
              Array.from({ length: 25 }, (_, j) => fs.writeFile(path.join(dir, `f ${f + j}`), '')),
            )
        }),
      )
    await fs.mkdir(path.join(shared, 'big tree', 'folder 7', 'empty inside'))
    await app.id('refresh').click()
    await app.bucket('big tree').click()
    await app.waitForText(app.id('file-summary'), '100,000 files')
    expect(await app.id('file-row').first().getAttribute('data-folder')).toBe('true')
    await page.locator('.tbody').evaluate((el) => (el.scrollTop = el.scrollHeight))
    await app.file('folder 999').waitFor()
    await page.locator('.tbody').evaluate((el) => (el.scrollTop = 0))
    await app.file('folder 7').dblclick()
    await app.waitForText(app.id('file-summary'), '100 files')
    expect(await app.id('breadcrumb').textContent()).toContain('folder 7')
    expect(await app.id('file-row').first().getAttribute('data-name')).toBe('folder 7/empty inside')
    await page.screenshot({ path: path.join(ARTIFACTS, 'folders.png'), animations: 'disabled' })
    await app.id('folder-up').click()
    await app.file('folder 0').waitFor()
    // Making 100,000 files on disk takes most of the time, more on a busy machine.
  }, 240_000)

  it('runs the vocabulary in the Console tab, showing each code with its meaning', async () => {
    await app.openConsole()
    expect(await app.run('ls_b')).toContain('500 BLS')
    expect(await app.run('help')).toContain('100 OK')
    const bad = await app.run('frobnicate')
    expect(bad).toContain('400 BCMD')
    expect(bad).toContain('Bad Command')
    // The GUI's actions are in the same conversation, as the commands they sent.
    const transcript = (await app.id('console-output').textContent()) ?? ''
    expect(transcript).toContain('create_b "holiday photos"')
    expect(transcript).toContain('delete_f "holiday photos" "beach day.jpg"')
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-tab.png'), animations: 'disabled' })
  })
})
