import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { AppCore, type KeepAwake } from '../../../electron/app/index.js'
import { pageBytesGone } from '../../../electron/app/queue-file.js'
import {
  loadOrCreateIdentity,
  startServer,
  type ServerOptions,
} from '../../../electron/server/index.js'
import type { ConnectionState, SessionHistory, TransferInfo } from '../../../shared/ipc.js'
import { slowLink, type SlowLink } from './slow-link.js'

const MiB = 1024 * 1024
/** Slow enough that a test acts while a transfer of a few MiB still runs. */
const SLOW = 2 * MiB

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')
const fileSha = async (file: string): Promise<string> => sha256(await fs.readFile(file))

/** A server with bucket `b` behind a slow link, and the folders of an app that talks to it. */
async function world(options: Partial<ServerOptions> & { encrypted?: boolean } = {}) {
  const base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-queue-')))
  const shared = path.join(base, 'shared')
  const local = path.join(base, 'local')
  const settings = path.join(base, 'settings')
  await Promise.all([fs.mkdir(path.join(shared, 'b'), { recursive: true }), fs.mkdir(local)])
  const { encrypted, ...serverOptions } = options
  const tls = encrypted ? await loadOrCreateIdentity(path.join(base, 'identity')) : undefined
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    ...serverOptions,
    ...(tls ? { tls } : {}),
    root: shared,
  })
  const logs: string[] = []
  server.on('log', ({ text }) => logs.push(text))
  const link: SlowLink = await slowLink(server.port, SLOW)
  cleanups.push(async () => {
    await link.close()
    await server.close()
    await fs.rm(base, { recursive: true, force: true })
  })
  const queueFile = async (): Promise<{ transfers: { info: TransferInfo }[] }> =>
    JSON.parse(await fs.readFile(path.join(settings, 'transfers.json'), 'utf8'))
  return { base, shared, local, settings, server, link, logs, queueFile, tls }
}

type World = Awaited<ReturnType<typeof world>>

/** The app's services (no Electron) on `w`'s config folder, recording every transfer update. */
function app(w: World, extra: { awake?: KeepAwake; browserBytes?: boolean } = {}) {
  const core = new AppCore({ version: 'test', settingsDir: w.settings, cwd: w.local, ...extra })
  const updates: TransferInfo[] = []
  const states: ConnectionState[] = []
  core.on('transfer:update', (info) => updates.push(info))
  core.on('connection:state', (state) => states.push(state))
  cleanups.push(() => core.shutdown())
  const ok = async <T>(channel: string, args?: unknown): Promise<T> => {
    const envelope = await core.invoke(channel, args)
    if (!envelope.ok) throw new Error(`${channel} failed: ${JSON.stringify(envelope.error)}`)
    return envelope.value as T
  }
  const latest = (id: string): TransferInfo | undefined => updates.findLast((u) => u.id === id)
  return {
    core,
    updates,
    states,
    ok,
    latest,
    /** Waits until transfer `id`'s latest row matches. */
    until: async (id: string, test: (t: TransferInfo) => boolean, timeout = 60_000) => {
      await expect
        .poll(
          () => {
            const t = latest(id)
            return t !== undefined && test(t)
          },
          { timeout, interval: 20 },
        )
        .toBe(true)
      return latest(id)!
    },
    connect: (accessCode?: string) =>
      ok<ConnectionState>('connection:connect', {
        host: '127.0.0.1',
        port: w.link.port,
        encrypted: w.tls !== undefined,
        ...(accessCode ? { accessCode } : {}),
      }),
  }
}

async function localFile(w: World, name: string, size: number): Promise<Buffer> {
  const content = randomBytes(size)
  await fs.writeFile(path.join(w.local, name), content)
  return content
}

describe('the transfer queue', () => {
  it('survives a restart of the app services: listed, continued, verified whole', async () => {
    const w = await world()
    const up = await localFile(w, 'up.bin', 24 * MiB)
    const down = randomBytes(24 * MiB)
    await fs.writeFile(path.join(w.shared, 'b', 'down.bin'), down)
    const a = app(w)
    await a.connect()
    const [u] = await a.ok<TransferInfo[]>('transfers:upload', {
      bucket: 'b',
      paths: [path.join(w.local, 'up.bin')],
    })
    const [d] = await a.ok<TransferInfo[]>('transfers:download', {
      bucket: 'b',
      names: ['down.bin'],
      dir: w.local,
    })
    await a.until(u!.id, (t) => t.bytes > MiB)
    await a.until(d!.id, (t) => t.bytes > MiB)
    await a.core.shutdown()
    for (const id of [u!.id, d!.id])
      expect(a.latest(id)).toMatchObject({ state: 'queued', total: 24 * MiB })
    expect(a.latest(u!.id)!.bytes).toBeLessThan(24 * MiB)
    expect((await w.queueFile()).transfers.map((k) => k.info.id).sort()).toEqual(
      [u!.id, d!.id].sort(),
    )

    // The server takes what was still on its way through the link, and keeps it.
    w.link.rate = Infinity
    const cut = /upload of \d+ bytes cut: (\d+) bytes kept/
    await expect.poll(() => w.logs.find((l) => cut.test(l)), { timeout: 20_000 }).toBeDefined()
    const kept = Number(cut.exec(w.logs.find((l) => cut.test(l))!)![1])
    expect(kept).toBeGreaterThan(0)
    const b = app(w)
    // Listed at once, as a page opened now sees them.
    const history = await b.ok<SessionHistory>('app:history')
    expect(history.transfers.map((t) => [t.id, t.state]).sort()).toEqual(
      [
        [u!.id, 'queued'],
        [d!.id, 'queued'],
      ].sort(),
    )
    // The peer is reachable: the app connects to it by itself and both continue.
    const uploaded = await b.until(u!.id, (t) => t.state === 'done')
    const downloaded = await b.until(d!.id, (t) => t.state === 'done')
    expect(uploaded.sha256).toBe(sha256(up))
    expect(downloaded.sha256).toBe(sha256(down))
    // Continued from the bytes the server (upload) and this disk (download) kept, not restarted.
    console.log(JSON.stringify(uploaded), JSON.stringify(downloaded))
    expect(uploaded.resumedAt).toBe(kept)
    expect(downloaded.resumedAt).toBeGreaterThan(0)
    expect(await fileSha(path.join(w.shared, 'b', 'up.bin'))).toBe(sha256(up))
    expect(await fileSha(path.join(w.local, 'down.bin'))).toBe(sha256(down))
    expect(b.states.at(-1)).toMatchObject({ status: 'connected', port: w.link.port })
    await expect.poll(async () => (await w.queueFile()).transfers).toEqual([])
  })

  it("continues a folder's tree after a restart, each file whole", async () => {
    const w = await world()
    const folder = path.join(w.local, 'album')
    await fs.mkdir(folder)
    const files = new Map<string, Buffer>()
    for (const name of ['1.bin', '2.bin', '3.bin', '4.bin']) {
      files.set(name, randomBytes(3 * MiB))
      await fs.writeFile(path.join(folder, name), files.get(name)!)
    }
    const a = app(w)
    await a.connect()
    const [t] = await a.ok<TransferInfo[]>('transfers:upload', { bucket: 'b', paths: [folder] })
    await a.until(t!.id, (r) => r.bytes > 2 * MiB)
    await a.core.shutdown()
    expect(a.latest(t!.id)).toMatchObject({ state: 'queued', filesTotal: 4 })
    w.link.rate = Infinity
    const b = app(w)
    const done = await b.until(t!.id, (r) => r.state === 'done')
    expect(done).toMatchObject({ files: 4, filesTotal: 4 })
    for (const [name, content] of files)
      expect(await fileSha(path.join(w.shared, 'b', 'album', name))).toBe(sha256(content))
  })

  it('continues a folder download typed in the Console in the folder its first attempt made', async () => {
    const w = await world()
    const files = new Map<string, Buffer>()
    await fs.mkdir(path.join(w.shared, 'b', 'album'))
    for (const name of ['1.bin', '2.bin', '3.bin', '4.bin']) {
      files.set(name, randomBytes(3 * MiB))
      await fs.writeFile(path.join(w.shared, 'b', 'album', name), files.get(name)!)
    }
    // Not there yet: the first attempt makes it, the tree's own folder.
    const copy = path.join(w.local, 'copy')
    const a = app(w)
    await a.connect()
    // Several files move at once, each on a connection of its own: slower, to cut it part way.
    w.link.rate = MiB / 2
    // Its answer waits for the end of the transfer, which the next app process sees, not this one.
    void a.ok('console:run', { line: `download b album "${copy}"` }).catch(() => undefined)
    await expect.poll(() => a.updates.find((u) => u.name === 'album')).toBeDefined()
    const id = a.updates.find((u) => u.name === 'album')!.id
    await a.until(id, (r) => r.bytes > 2 * MiB)
    await a.core.shutdown()
    expect(a.latest(id)).toMatchObject({ state: 'queued' })
    w.link.rate = Infinity
    const b = app(w)
    const done = await b.until(id, (r) => r.state === 'done')
    expect(done).toMatchObject({ files: 4, filesTotal: 4 })
    // In place: not inside the folder the cut attempt left.
    expect((await fs.readdir(copy)).sort()).toEqual([...files.keys()])
    for (const [name, content] of files)
      expect(await fileSha(path.join(copy, name))).toBe(sha256(content))
  })

  it('pauses and resumes one transfer, then all of them', async () => {
    const w = await world()
    const contents = await Promise.all(['a.bin', 'b.bin'].map((n) => localFile(w, n, 8 * MiB)))
    const a = app(w)
    await a.connect()
    const [first] = await a.ok<TransferInfo[]>('transfers:upload', {
      bucket: 'b',
      paths: [path.join(w.local, 'a.bin')],
    })
    const id = first!.id
    await a.until(id, (t) => t.bytes > 0)
    await a.ok('transfers:pause', { id })
    const paused = await a.until(id, (t) => t.state === 'paused')
    expect(paused.bytes).toBeLessThan(8 * MiB)
    await a.ok('transfers:resume', { id })
    const resumed = await a.until(id, (t) => t.state === 'running')
    expect(resumed.attempt).toBe(2)

    const [second] = await a.ok<TransferInfo[]>('transfers:upload', {
      bucket: 'b',
      paths: [path.join(w.local, 'b.bin')],
    })
    await a.ok('transfers:pause', {})
    for (const t of [id, second!.id]) await a.until(t, (r) => r.state === 'paused')
    w.link.rate = Infinity
    await a.ok('transfers:resume', {})
    for (const [n, t] of [id, second!.id].entries()) {
      const done = await a.until(t, (r) => r.state === 'done')
      expect(done.sha256).toBe(sha256(contents[n]!))
    }
  })

  it('tries again after a lost connection, with backoff, and says so on the row', async () => {
    const w = await world()
    const content = await localFile(w, 'f.bin', 8 * MiB)
    const a = app(w)
    await a.connect()
    const [started] = await a.ok<TransferInfo[]>('transfers:upload', {
      bucket: 'b',
      paths: [path.join(w.local, 'f.bin')],
    })
    const id = started!.id
    await a.until(id, (t) => t.bytes > 0)
    w.link.down = true
    w.link.cut()
    const lost = await a.until(id, (t) => t.state === 'queued')
    expect(lost.error).toMatch(/^connection lost: /)
    const wait = lost.retryAt! - Date.now()
    expect(wait).toBeGreaterThan(0)
    expect(wait).toBeLessThanOrEqual(2_000)
    // The peer is still gone at the first retry: a longer wait.
    const unreachable = await a.until(id, (t) => /^cannot reach 127\.0\.0\.1:/.test(t.error ?? ''))
    expect(unreachable.retryAt! - Date.now()).toBeGreaterThan(2_000)
    w.link.down = false
    w.link.rate = Infinity
    const done = await a.until(id, (t) => t.state === 'done')
    expect(done.sha256).toBe(sha256(content))
    expect(done.attempt).toBe(2)
  })

  it('retries all failed transfers at once', async () => {
    const w = await world()
    w.link.rate = Infinity
    const contents = await Promise.all(['x.bin', 'y.bin'].map((n) => localFile(w, n, 1000)))
    const a = app(w)
    await a.connect()
    const started = await a.ok<TransferInfo[]>('transfers:upload', {
      bucket: 'later',
      paths: ['x.bin', 'y.bin'].map((n) => path.join(w.local, n)),
    })
    for (const t of started) {
      const failed = await a.until(t.id, (r) => r.state === 'failed')
      expect(failed.error).toMatch(/bucket/)
    }
    // Failed transfers stay in the queue, on disk too.
    await expect.poll(async () => (await w.queueFile()).transfers).toHaveLength(2)
    await fs.mkdir(path.join(w.shared, 'later'))
    await a.ok('transfers:retryFailed')
    for (const [n, t] of started.entries()) {
      const done = await a.until(t.id, (r) => r.state === 'done')
      expect(done.sha256).toBe(sha256(contents[n]!))
    }
  })

  it('keeps the computer awake only while transfers run', async () => {
    const w = await world()
    const calls: string[] = []
    const a = app(w, {
      awake: { start: () => calls.push('start'), stop: () => calls.push('stop') },
    })
    await localFile(w, 'f.bin', 4 * MiB)
    await a.connect()
    expect(calls).toEqual([])
    const [t] = await a.ok<TransferInfo[]>('transfers:upload', {
      bucket: 'b',
      paths: [path.join(w.local, 'f.bin')],
    })
    expect(calls).toEqual(['start'])
    await a.ok('transfers:pause', { id: t!.id })
    await a.until(t!.id, (r) => r.state === 'paused')
    expect(calls).toEqual(['start', 'stop'])
    w.link.rate = Infinity
    await a.ok('transfers:resume', { id: t!.id })
    await a.until(t!.id, (r) => r.state === 'done')
    expect(calls).toEqual(['start', 'stop', 'start', 'stop'])
  })

  it('keeps no access code on disk, and waits for it after a restart (TLS, same certificate)', async () => {
    const code = 'queue-test-code-7391'
    const w = await world({ accessCode: code, encrypted: true })
    const content = await localFile(w, 'f.bin', 4 * MiB)
    const a = app(w)
    await a.connect(code)
    const [t] = await a.ok<TransferInfo[]>('transfers:upload', {
      bucket: 'b',
      paths: [path.join(w.local, 'f.bin')],
    })
    await a.until(t!.id, (r) => r.bytes > 0)
    await a.core.shutdown()
    const files = await fs.readdir(w.settings)
    for (const file of files)
      expect(await fs.readFile(path.join(w.settings, file), 'utf8')).not.toContain(code)

    w.link.rate = Infinity
    const b = app(w)
    await b.until(t!.id, (r) => r.error === 'waiting for the access code')
    expect(b.states.at(-1)).toMatchObject({
      status: 'connected',
      needsCode: true,
      fingerprint: w.tls!.fingerprint,
      firstContact: false,
    })
    await b.ok('connection:auth', { accessCode: code })
    const done = await b.until(t!.id, (r) => r.state === 'done')
    expect(done.sha256).toBe(sha256(content))
  })

  it('starts with what is well-formed in a queue file edited by hand', async () => {
    const w = await world()
    const file = path.join(w.settings, 'transfers.json')
    await fs.mkdir(w.settings, { recursive: true })
    const good = {
      info: {
        id: 'ok',
        direction: 'upload',
        bucket: 'b',
        name: 'f',
        bytes: 0,
        total: 9,
        rate: 0,
        state: 'paused',
      },
      peer: { host: '127.0.0.1', port: 1, fingerprint: null },
      local: path.join(w.local, 'f'),
    }
    await fs.writeFile(file, JSON.stringify({ transfers: [good, { info: { id: 7 } }, null, 'x'] }))
    const a = app(w)
    expect((await a.ok<SessionHistory>('app:history')).transfers).toEqual([
      expect.objectContaining({ id: 'ok', state: 'paused' }),
    ])
    await a.core.shutdown()
    // Nonsense as a whole: an empty queue, and the app starts.
    await fs.writeFile(file, '{ not json')
    const b = app(w)
    expect((await b.ok<SessionHistory>('app:history')).transfers).toEqual([])
  })

  it("lists a browser page's transfer after a restart as failed: its bytes are gone", async () => {
    const w = await world()
    const a = app(w, { browserBytes: true })
    await a.connect()
    const [t] = await a.ok<TransferInfo[]>('transfers:upload', {
      bucket: 'b',
      files: [{ name: 'page.bin', size: 1000 }],
    })
    await a.core.shutdown()
    const b = app(w, { browserBytes: true })
    const history = await b.ok<SessionHistory>('app:history')
    expect(history.transfers).toEqual([
      expect.objectContaining({ id: t!.id, state: 'failed', error: pageBytesGone('upload') }),
    ])
    // Nothing to try again with; and the next start has forgotten it.
    await b.ok('transfers:retryFailed')
    expect(b.latest(t!.id)).toBeUndefined()
    await b.core.shutdown()
    expect((await w.queueFile()).transfers).toEqual([])
  })
})
