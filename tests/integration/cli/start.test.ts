import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

let child: ChildProcess | undefined
let dir: string | undefined
afterEach(async () => {
  // npm runs the program in a process group of its own: stop all of it.
  if (child?.pid && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve))
    process.kill(-child.pid, 'SIGINT')
    await exited
  }
  child = undefined
  if (dir) await fs.rm(dir, { recursive: true, force: true })
})

describe('npm start', () => {
  it('starts browser mode where Electron is missing, says why, prints its address and serves the page', async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-start-'))
    // Electron's own override of where its binary lives: an empty folder, so it is missing here
    // whether or not this machine could download it. No display: no browser window opens.
    const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: dir }
    delete env['DISPLAY']
    delete env['WAYLAND_DISPLAY']
    const started = spawn(
      'npm',
      ['start', '--', '--port', '0', '--settings-dir', path.join(dir, 'settings'), '--cwd', dir],
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    child = started
    let out = ''
    const url = await new Promise<string>((resolve, reject) => {
      const read = (chunk: Buffer): void => {
        out += chunk.toString()
        const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out)
        if (match) resolve(match[0])
      }
      started.stdout!.on('data', read)
      started.stderr!.on('data', read)
      started.once('exit', (code) => reject(new Error(`npm start exited with ${code}: ${out}`)))
    })
    expect(out).toContain(
      "Starting in browser mode: Electron's binary is not installed (npm install could not download it).",
    )
    expect(out).not.toContain('Error')
    const page = await fetch(url)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<div id="app">')
  }, 120_000)
})
