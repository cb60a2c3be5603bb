import fs from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startWebUi, type WebUi } from '../../../electron/web/server.js'
import type { TransferInfo } from '../../../shared/ipc.js'
import type { BridgeServerMessage } from '../../../shared/web-bridge.js'
import { appFixture, hostAndConnect, type AppFixture } from './helpers.js'

let f: AppFixture
let ui: WebUi
afterEach(async () => {
  await ui?.close()
  await f?.stop()
})

async function start(): Promise<{ origin: string; token: string }> {
  f = await appFixture({ browserBytes: true })
  const site = path.join(f.base, 'site')
  await fs.mkdir(site)
  await fs.writeFile(path.join(site, 'index.html'), '<!doctype html><title>BucketShare</title>')
  ui = await startWebUi({ core: f.core, staticDir: site, port: 0 })
  const url = new URL(ui.url)
  return { origin: url.origin, token: url.searchParams.get('token')! }
}

/** Opens the bridge; resolves with the socket once open, or with the refusal's status. */
function openBridge(url: string, origin: string): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { origin })
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
    ws.once('error', () => resolve(-1))
  })
}

describe('browser mode', () => {
  it('serves the page on loopback with a strict content security policy', async () => {
    const { origin, token } = await start()
    const res = await fetch(`${origin}/?token=${token}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(await res.text()).toContain('<title>BucketShare</title>')
    expect((await fetch(`${origin}/..%2f..%2fetc%2fpasswd`)).status).toBe(404)
  })

  it('answers the page without its token (or with an old one) with one page saying what to do', async () => {
    const { origin } = await start()
    for (const address of [`${origin}/`, `${origin}/index.html?token=old`]) {
      const res = await fetch(address)
      expect(res.status).toBe(401)
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'")
      const page = await res.text()
      expect(page).toContain('Open the address BucketShare printed')
      expect(page).not.toContain('<title>BucketShare</title>')
    }
  })

  it('serves the favicon, also where browsers look for it on their own', async () => {
    const { origin } = await start()
    await fs.writeFile(path.join(f.base, 'site', 'favicon.svg'), '<svg/>')
    for (const icon of ['/favicon.svg', '/favicon.ico']) {
      const res = await fetch(`${origin}${icon}`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('image/svg+xml')
      expect(await res.text()).toBe('<svg/>')
    }
  })

  it('refuses the bridge without the token or from another origin', async () => {
    const { origin, token } = await start()
    const ws = origin.replace('http', 'ws')
    expect(await openBridge(`${ws}/bridge?token=wrong`, origin)).toBe(403)
    expect(await openBridge(`${ws}/bridge?token=${token}`, 'http://evil.example')).toBe(403)
    const ok = await openBridge(`${ws}/bridge?token=${token}`, origin)
    expect(ok).toBeInstanceOf(WebSocket)
    ;(ok as WebSocket).close()
  })

  it('refuses a request whose Host is not loopback (DNS rebinding)', async () => {
    const { origin } = await start()
    const http = await import('node:http')
    const status = await new Promise<number>((resolve) =>
      http.get(`${origin}/`, { headers: { host: 'evil.example' } }, (res) =>
        resolve(res.statusCode ?? 0),
      ),
    )
    expect(status).toBe(421)
  })

  it('carries requests and events over the WebSocket', async () => {
    const { origin, token } = await start()
    const ws = (await openBridge(
      `${origin.replace('http', 'ws')}/bridge?token=${token}`,
      origin,
    )) as WebSocket
    const messages: BridgeServerMessage[] = []
    ws.on('message', (data) => messages.push(JSON.parse(String(data)) as BridgeServerMessage))
    ws.send(
      JSON.stringify({ type: 'invoke', id: 7, request: 'console:run', args: { line: 'help' } }),
    )
    await expect
      .poll(() => messages.find((m) => m.type === 'result'))
      .toMatchObject({
        type: 'result',
        id: 7,
        envelope: { ok: true, value: { command: 'help', status: null } },
      })
    expect(messages).toContainEqual(
      expect.objectContaining({ type: 'event', event: 'console:entry' }),
    )
    ws.close()
  })

  /** Starts browser transfers as the page does, and sends or fetches their bytes when asked. */
  async function browserUpload(
    origin: string,
    token: string,
    bucket: string,
    name: string,
    body: Buffer | ReadableStream<Uint8Array>,
    size: number,
  ): Promise<{ info: TransferInfo; response: Promise<Response> }> {
    const [info] = await f.ok<TransferInfo[]>('transfers:upload', {
      bucket,
      files: [{ name, size }],
    })
    await expect.poll(() => f.events['transfer:send'].some((e) => e.id === info!.id)).toBe(true)
    const response = fetch(`${origin}/upload?token=${token}&id=${info!.id}`, {
      method: 'POST',
      body,
      headers: { origin, 'content-length': String(size) },
      duplex: 'half',
    } as RequestInit)
    return { info: info!, response }
  }

  const final = (id: string): TransferInfo | undefined =>
    f.events['transfer:update'].find((t) => t.id === id && t.state !== 'running')

  /** The host log's lines for uploads of `name`. */
  const uploadLines = (name: string): string[] =>
    f.events['host:log'].map((l) => l.text).filter((t) => t.includes(`upload b ${name}`))

  it('sends the bytes of an upload when asked and fetches a download as an attachment', async () => {
    const { origin, token } = await start()
    await hostAndConnect(f)
    await f.ok('buckets:create', { name: 'b' })
    const bytes = Buffer.from('bytes from a browser — ünïcode')
    const { info, response } = await browserUpload(
      origin,
      token,
      'b',
      'from browser.txt',
      bytes,
      bytes.length,
    )
    const up = await response
    expect(up.status).toBe(200)
    expect(await up.json()).toMatchObject({ id: info.id, state: 'done', total: bytes.length })
    expect(await fs.readFile(path.join(f.shared, 'b', 'from browser.txt'))).toEqual(bytes)
    // The same bytes again find no upload waiting for them.
    const again = await fetch(`${origin}/upload?token=${token}&id=${info.id}`, {
      method: 'POST',
      body: bytes,
      headers: { origin },
    })
    expect(again.status).toBe(409)

    const [down] = await f.ok<TransferInfo[]>('transfers:download', {
      bucket: 'b',
      names: ['from browser.txt'],
    })
    await expect.poll(() => f.events['transfer:send'].some((e) => e.id === down!.id)).toBe(true)
    const got = await fetch(`${origin}/download?token=${token}&id=${down!.id}`)
    expect(got.status).toBe(200)
    expect(got.headers.get('content-disposition')).toBe(
      `attachment; filename*=UTF-8''${encodeURIComponent('from browser.txt')}`,
    )
    expect(Buffer.from(await got.arrayBuffer())).toEqual(bytes)
    await expect.poll(() => final(down!.id)).toMatchObject({ state: 'done' })
    expect((await fetch(`${origin}/download?token=wrong&id=${down!.id}`)).status).toBe(403)
    expect((await fetch(`${origin}/download?token=${token}&id=nothing`)).status).toBe(404)
    expect(
      (
        await fetch(`${origin}/upload?token=${token}&id=nothing`, {
          method: 'POST',
          body: 'x',
          headers: { origin: 'http://evil.example' },
        })
      ).status,
    ).toBe(403)
  })

  it('answers a refused upload once its body is read: one failed transfer, sent once', async () => {
    const { origin, token } = await start()
    await hostAndConnect(f)
    const size = 8 * 1024 * 1024
    const { info, response } = await browserUpload(
      origin,
      token,
      'ghost',
      'x.bin',
      Buffer.alloc(size, 1),
      size,
    )
    const answer = await response
    expect(answer.status).toBe(200)
    expect(await answer.json()).toMatchObject({ id: info.id, state: 'failed' })
    expect(final(info.id)).toMatchObject({
      state: 'failed',
      error: expect.stringContaining('no such bucket') as unknown,
    })
    expect(f.events['host:log'].filter((l) => l.text.includes('upload ghost x.bin'))).toHaveLength(
      1,
    )
  })

  it('cancels an upload under way: nothing stored, the body read to its end, bytes sent once', async () => {
    const { origin, token } = await start()
    await hostAndConnect(f)
    await f.ok('buckets:create', { name: 'b' })
    const chunk = Buffer.alloc(1024 * 1024, 7)
    const size = 16 * chunk.length
    let sent = 0
    let cancelled: () => void = () => undefined
    const halfway = new Promise<void>((resolve) => (cancelled = resolve))
    let reachedHalf: () => void = () => undefined
    const half = new Promise<void>((resolve) => (reachedHalf = resolve))
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === size / 2) {
          reachedHalf()
          await halfway
        }
        controller.enqueue(chunk)
        sent += chunk.length
        if (sent === size) controller.close()
      },
    })
    const { info, response } = await browserUpload(
      origin,
      token,
      'b',
      'cancel-me.bin',
      body as never,
      size,
    )
    await half
    await expect
      .poll(() => f.events['transfer:update'].some((t) => t.id === info.id && t.bytes > 0))
      .toBe(true)
    await f.ok('transfers:cancel', { id: info.id })
    await expect.poll(() => final(info.id)).toMatchObject({ state: 'cancelled' })
    cancelled()
    const answer = await response
    expect(answer.status).toBe(200)
    expect(await answer.json()).toMatchObject({ state: 'cancelled' })
    expect(sent).toBe(size)
    expect(await fs.readdir(path.join(f.shared, 'b'))).toEqual([])
    await expect
      .poll(() => uploadLines('cancel-me.bin'))
      .toEqual([expect.stringContaining('no answer') as unknown])
    expect(f.events['transfer:update'].filter((t) => t.id !== info.id)).toEqual([])
  })

  it('moves a folder of the page as one tree each way: empty folders kept, every file in place', async () => {
    // Many files in flight listen to one cancel signal: by design, not a leak Node should warn of.
    const warnings: string[] = []
    const onWarning = (warning: Error): void => void warnings.push(warning.name)
    process.on('warning', onWarning)
    const { origin, token } = await start()
    await hostAndConnect(f)
    await f.ok('buckets:create', { name: 'b' })
    const files = new Map([
      ['read me.txt', Buffer.from('top')],
      ['été 2026/jour un/matin tôt/写真 1.txt', Buffer.from('photo')],
      ['été 2026/zero', Buffer.alloc(0)],
      ...Array.from(
        { length: 12 },
        (_, i) => [`many/f ${i}.bin`, Buffer.alloc(70_000, i)] as const,
      ),
    ])
    const names = [...files.keys()]
    // The page answers each file's ask with its bytes, as web.ts does.
    const posted: Promise<Response>[] = []
    const off = f.core.on('transfer:send', ({ id, file }) => {
      if (file === undefined) return
      const bytes = files.get(names[file]!)!
      posted.push(
        fetch(`${origin}/upload?token=${token}&id=${id}&file=${file}`, {
          method: 'POST',
          body: bytes,
          headers: { origin },
        }),
      )
    })
    const [up, ...more] = await f.ok<TransferInfo[]>('transfers:upload', {
      bucket: 'b',
      tree: { name: 'trips/album', folders: ['vide', 'été 2026/rien'] },
      files: names.map((name) => ({ name, size: files.get(name)!.length })),
    })
    expect(more).toEqual([])
    await expect
      .poll(() => final(up!.id), { timeout: 20_000 })
      .toMatchObject({
        state: 'done',
        files: names.length,
        filesTotal: names.length,
      })
    off()
    expect((await Promise.all(posted)).map((r) => r.status)).toEqual(names.map(() => 200))
    const stored = path.join(f.shared, 'b/trips/album')
    for (const [name, bytes] of files)
      expect(await fs.readFile(path.join(stored, name))).toEqual(bytes)
    expect(await fs.readdir(path.join(stored, 'vide'))).toEqual([])
    expect(await fs.readdir(path.join(stored, 'été 2026/rien'))).toEqual([])

    // Down again into a folder the page chose: it makes the folders, writes each file, and says
    // so once it is in place.
    const into = path.join(f.base, 'chosen')
    const written: Promise<void>[] = []
    const off2 = f.core.on('transfer:send', ({ id, file, path: at, folder }) => {
      if (folder !== undefined)
        written.push(fs.mkdir(path.join(into, folder), { recursive: true }).then(() => undefined))
      else if (file !== undefined)
        written.push(
          fetch(`${origin}/download?token=${token}&id=${id}&file=${file}`).then(async (r) => {
            expect(r.status).toBe(200)
            await fs.mkdir(path.dirname(path.join(into, at!)), { recursive: true })
            await fs.writeFile(path.join(into, at!), Buffer.from(await r.arrayBuffer()))
            const said = await fetch(
              `${origin}/written?token=${token}&id=${id}&file=${file}&ok=1`,
              {
                method: 'POST',
                headers: { origin },
              },
            )
            expect(said.status).toBe(200)
          }),
        )
    })
    const [down] = await f.ok<TransferInfo[]>('transfers:download', {
      bucket: 'b',
      names: ['trips/album'],
      folders: ['trips/album'],
    })
    await expect
      .poll(() => final(down!.id), { timeout: 20_000 })
      .toMatchObject({
        state: 'done',
        files: names.length,
      })
    // Done means every file is in place.
    for (const [name, bytes] of files)
      expect(await fs.readFile(path.join(into, name))).toEqual(bytes)
    process.off('warning', onWarning)
    expect(warnings).toEqual([])
    off2()
    await Promise.all(written)
    expect(await fs.readdir(path.join(into, 'vide'))).toEqual([])
    expect(await fs.readdir(path.join(into, 'été 2026/rien'))).toEqual([])
  })

  it('fails a tree whose file the page could not write, saying which', async () => {
    const { origin, token } = await start()
    await hostAndConnect(f)
    await f.ok('buckets:create', { name: 'b' })
    await fs.mkdir(path.join(f.shared, 'b', 'album'))
    await fs.writeFile(path.join(f.shared, 'b', 'album', 'photo.jpg'), 'bytes')
    const off = f.core.on('transfer:send', ({ id, file }) => {
      if (file === undefined) return
      // The page read the bytes but could not write them (a full disk, a folder removed).
      void fetch(`${origin}/download?token=${token}&id=${id}&file=${file}`)
        .then((r) => r.arrayBuffer())
        .then(() =>
          fetch(`${origin}/written?token=${token}&id=${id}&file=${file}&ok=0`, {
            method: 'POST',
            headers: { origin },
          }),
        )
    })
    const [down] = await f.ok<TransferInfo[]>('transfers:download', {
      bucket: 'b',
      names: ['album'],
      folders: ['album'],
    })
    await expect
      .poll(() => final(down!.id), { timeout: 10_000 })
      .toMatchObject({
        state: 'failed',
        error: expect.stringContaining('could not write "photo.jpg"'),
      })
    off()
    // Only the page may say it: another origin is refused, and so is a request without the token.
    const say = (query: string, from: string): Promise<Response> =>
      fetch(`${origin}/written?${query}`, { method: 'POST', headers: { origin: from } })
    const query = `id=${down!.id}&file=0&ok=1`
    expect((await say(`token=${token}&${query}`, 'http://evil.example')).status).toBe(403)
    expect((await say(query, origin)).status).toBe(403)
  })

  it('cancels at once a tree whose page has not yet said it wrote a file', async () => {
    const { origin, token } = await start()
    await hostAndConnect(f)
    await f.ok('buckets:create', { name: 'b' })
    await fs.mkdir(path.join(f.shared, 'b', 'album'))
    await fs.writeFile(path.join(f.shared, 'b', 'album', 'photo.jpg'), 'bytes')
    let fetched: Promise<unknown> | undefined
    const off = f.core.on('transfer:send', ({ id, file }) => {
      // The page takes the bytes and is still writing them (it never says).
      if (file !== undefined)
        fetched = fetch(`${origin}/download?token=${token}&id=${id}&file=${file}`).then((r) =>
          r.arrayBuffer(),
        )
    })
    const [down] = await f.ok<TransferInfo[]>('transfers:download', {
      bucket: 'b',
      names: ['album'],
      folders: ['album'],
    })
    await expect.poll(() => fetched).toBeDefined()
    await fetched
    expect(final(down!.id)).toBeUndefined()
    await f.ok('transfers:cancel', { id: down!.id })
    // Well within the 30 s the page has to say it.
    await expect
      .poll(() => final(down!.id), { timeout: 5_000 })
      .toMatchObject({ state: 'cancelled' })
    off()
  })
})
