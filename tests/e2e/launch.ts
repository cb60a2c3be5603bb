import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { chromium, type Browser } from 'playwright-core'

/** Debian's Chromium; CI installs it with apt-get. Override with CHROMIUM_PATH. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'

/** Where screenshots go, for a person to look at. */
export const ARTIFACTS = path.resolve('test-artifacts')

export interface UiProcess {
  url: string
  /** A temporary folder holding the settings and anything the test creates. */
  base: string
  stop(): Promise<void>
}

/** Starts `npm run ui`'s program (the build must exist) on a free port with its own settings. */
export async function startUi(): Promise<UiProcess> {
  const base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-e2e-')))
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'),
      path.resolve('electron/web/cli.ts'),
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
  return {
    url,
    base,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
      await fs.rm(base, { recursive: true, force: true })
    },
  }
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  })
}
