import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {
  _electron as electron,
  chromium,
  type ElectronApplication,
  type Page,
} from 'playwright-core'
import { whyNoDesktop } from '../../scripts/electron.mjs'

/** Debian's Chromium; CI installs it with apt-get. Override with CHROMIUM_PATH. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'

/** Where screenshots go, for a person to look at. */
export const ARTIFACTS = path.resolve('test-artifacts')

/**
 * The app under test: the desktop app through Playwright's Electron launcher where Electron can
 * run (its binary is installed and there is a display), else the browser mode in Chromium (here,
 * and in CI). BUCKETSHARE_E2E=electron or =browser asks for one; asking for Electron where it
 * cannot run fails with the reason rather than testing something else.
 */
export function e2eMode(): 'electron' | 'browser' {
  const asked = process.env['BUCKETSHARE_E2E']
  if (asked === 'browser') return 'browser'
  const why = whyNoDesktop()
  if (asked === 'electron' && why) throw new Error(`BUCKETSHARE_E2E=electron, but ${why}`)
  return why ? 'browser' : 'electron'
}

export interface LaunchedApp {
  /** The app's window (a new one after `restart` of the desktop app). */
  readonly page: Page
  /** A temporary folder holding the app's settings (`<base>/settings`) and the test's files. */
  base: string
  /** Runs `trigger`, which downloads `name`, and returns the path of the saved copy. */
  download(name: string, trigger: () => Promise<void>): Promise<string>
  /**
   * Ends the app's process with `signal` (SIGKILL: no chance to save anything) and starts it again
   * on the same settings; the page opens the new one.
   */
  restart(signal: NodeJS.Signals): Promise<void>
  stop(): Promise<void>
}

export async function launchApp(viewport = { width: 1280, height: 800 }): Promise<LaunchedApp> {
  const base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-e2e-')))
  return e2eMode() === 'electron'
    ? launchElectron(base, viewport)
    : launchBrowserMode(base, viewport)
}

/** Starts `npm run ui` on `base`'s settings; resolves with the address (token included) it prints. */
async function startUi(base: string): Promise<{ child: ChildProcess; url: string }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      // The bundled entry, through the launcher, as `npm run ui` runs it.
      path.resolve('scripts/cli.mjs'),
      'ui',
      '--port',
      '0',
      '--settings-dir',
      path.join(base, 'settings'),
      '--cwd',
      base,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out)
      if (match) resolve(match[0])
    })
    child.once('exit', (code) => reject(new Error(`npm run ui exited with ${code}: ${out}`)))
  })
  return { child, url }
}

async function ended(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill(signal)
  await exited
}

async function launchBrowserMode(
  base: string,
  viewport: { width: number; height: number },
): Promise<LaunchedApp> {
  let { child, url } = await startUi(base)
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  })
  const page = await browser.newPage({ viewport, acceptDownloads: true })
  page.on('pageerror', (err) => console.error('page error:', err))
  await page.goto(url)
  return {
    page,
    base,
    async download(name, trigger) {
      const [download] = await Promise.all([page.waitForEvent('download'), trigger()])
      if (download.suggestedFilename() !== name)
        throw new Error(`downloaded ${download.suggestedFilename()}, not ${name}`)
      const saved = path.join(base, `downloaded-${name}`)
      await download.saveAs(saved)
      return saved
    },
    async restart(signal) {
      await ended(child, signal)
      ;({ child, url } = await startUi(base))
      await page.goto(url)
    },
    async stop() {
      await browser.close()
      await ended(child, 'SIGTERM')
      await fs.rm(base, { recursive: true, force: true })
    },
  }
}

async function launchElectron(
  base: string,
  viewport: { width: number; height: number },
): Promise<LaunchedApp> {
  const downloads = path.join(base, 'downloads')
  await fs.mkdir(downloads)
  const open = async (): Promise<{ app: ElectronApplication; page: Page }> => {
    const app = await electron.launch({
      args: [path.resolve('.')],
      env: { ...process.env, BUCKETSHARE_USER_DATA: path.join(base, 'settings') } as Record<
        string,
        string
      >,
    })
    const page = await app.firstWindow()
    await page.setViewportSize(viewport)
    // The native folder dialog cannot be clicked: it answers with the downloads folder instead.
    await app.evaluate(({ dialog }, dir) => {
      dialog.showOpenDialog = (async () => ({
        canceled: false,
        filePaths: [dir],
      })) as typeof dialog.showOpenDialog
    }, downloads)
    return { app, page }
  }
  let { app, page } = await open()
  return {
    get page() {
      return page
    },
    base,
    async download(name, trigger) {
      await trigger()
      const saved = path.join(downloads, name)
      for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
        if (await fs.stat(saved).catch(() => undefined)) return saved
        await page.waitForTimeout(50)
      }
      throw new Error(`${name} was not downloaded`)
    },
    async restart(signal) {
      await ended(app.process(), signal)
      ;({ app, page } = await open())
    },
    async stop() {
      await app.close()
      await fs.rm(base, { recursive: true, force: true })
    },
  }
}
