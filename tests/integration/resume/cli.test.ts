import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startServer, type BucketServer } from '../../../electron/server/index.js'
import { randomFile, sha256Of } from '../client/helpers.js'
import { CutProxy, MiB, scratch } from './faults.js'

let dir: string
let server: BucketServer | undefined
let proxy: CutProxy | undefined
afterEach(async () => {
  await proxy?.close()
  await server?.close()
  proxy = server = undefined
  if (dir) await fs.rm(dir, { recursive: true, force: true })
})

/** Types `line` into the terminal client (`npm run client`) and collects what it printed. */
function terminal(port: number, line: string): Promise<string> {
  const child = spawn(
    process.execPath,
    [path.resolve('scripts/cli.mjs'), 'client', '127.0.0.1', String(port), '--plain'],
    { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] },
  )
  let out = ''
  child.stdout.on('data', (c: Buffer) => (out += c.toString()))
  child.stderr.on('data', (c: Buffer) => (out += c.toString()))
  child.stdin.end(`${line}\n`)
  return new Promise((resolve) => child.on('close', () => resolve(out)))
}

async function setup(): Promise<{ port: number; hash: string }> {
  dir = await scratch()
  const root = path.join(dir, 'shared')
  await fs.mkdir(path.join(root, 'b'), { recursive: true })
  await fs.mkdir(path.join(dir, 'down'))
  const hash = await randomFile(path.join(dir, 'big.bin'), 40 * MiB)
  server = await startServer({ root, port: 0, host: '127.0.0.1' })
  const target = server.port
  proxy = await CutProxy.start(() => target)
  return { port: proxy.port, hash }
}

describe('the terminal client run again', () => {
  it('continues a cut upload, says where it resumed, then that the file is there', async () => {
    const { port, hash } = await setup()
    const kept = new Promise<number>((resolve) =>
      server!.on('log', ({ text }) => {
        const m = / cut: (\d+) bytes kept/.exec(text)
        if (m) resolve(Number(m[1]))
      }),
    )
    const cut = proxy!.cutAfter('up', 15 * MiB)
    const first = await terminal(port, 'upload big.bin b')
    await cut
    expect(first).not.toContain('700 FUTBS')
    const held = await kept
    expect(held).toBeGreaterThan(14 * MiB)
    const again = await terminal(port, 'upload big.bin b')
    expect(again).toContain(`-> resumed at ${held}\n`)
    expect(again).toContain(`-> sha256 ${hash}`)
    expect(again).toContain('700 FUTBS')
    expect(await sha256Of(path.join(dir, 'shared', 'b', 'big.bin'))).toBe(hash)
    const third = await terminal(port, 'upload big.bin b')
    expect(third).toContain('-> already there: same size and sha256, nothing moved')
    expect(third).toContain('700 FUTBS')
  })

  it('continues a cut download from the bytes kept beside the destination', async () => {
    const { port, hash } = await setup()
    await fs.copyFile(path.join(dir, 'big.bin'), path.join(dir, 'shared', 'b', 'big.bin'))
    const cut = proxy!.cutAfter('down', 20 * MiB)
    const first = await terminal(port, 'download b big.bin down')
    await cut
    expect(first).not.toContain('900 FDFBS')
    const kept = (await fs.stat(path.join(dir, 'down', '.big.bin.bucketshare-part'))).size
    expect(kept).toBeGreaterThan(19 * MiB)
    const again = await terminal(port, 'download b big.bin down')
    expect(again).toContain(`-> resumed at ${kept}\n`)
    expect(again).toContain('900 FDFBS')
    expect(await fs.readdir(path.join(dir, 'down'))).toEqual(['big.bin'])
    expect(await sha256Of(path.join(dir, 'down', 'big.bin'))).toBe(hash)
    const third = await terminal(port, 'download b big.bin down')
    expect(third).toContain('-> already there: same size and sha256, nothing moved')
    expect(third).toContain('900 FDFBS')
  })
})
