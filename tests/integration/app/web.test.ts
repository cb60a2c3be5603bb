import fs from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startWebUi, type WebUi } from '../../../electron/web/server.js'
import type { BridgeServerMessage } from '../../../shared/web-bridge.js'
import { appFixture, hostAndConnect, type AppFixture } from './helpers.js'

let f: AppFixture
let ui: WebUi
afterEach(async () => {
  await ui?.close()
  await f?.stop()
})

async function start(): Promise<{ origin: string; token: string }> {
  f = await appFixture()
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
      JSON.stringify({ type: 'invoke', id: 7, channel: 'console:run', args: { line: 'help' } }),
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

  it('uploads a request body and downloads a file as an attachment', async () => {
    const { origin, token } = await start()
    await hostAndConnect(f)
    await f.ok('buckets:create', { name: 'b' })
    const query = (name: string): string =>
      `token=${token}&bucket=b&name=${encodeURIComponent(name)}`
    const bytes = Buffer.from('bytes from a browser — ünïcode')
    const up = await fetch(`${origin}/upload?${query('from browser.txt')}`, {
      method: 'POST',
      body: bytes,
      headers: { origin },
    })
    expect(up.status).toBe(200)
    expect(await up.json()).toMatchObject({ state: 'done', total: bytes.length })
    expect(await fs.readFile(path.join(f.shared, 'b', 'from browser.txt'))).toEqual(bytes)
    const down = await fetch(`${origin}/download?${query('from browser.txt')}`)
    expect(down.status).toBe(200)
    expect(down.headers.get('content-disposition')).toBe(
      `attachment; filename*=UTF-8''${encodeURIComponent('from browser.txt')}`,
    )
    expect(Buffer.from(await down.arrayBuffer())).toEqual(bytes)
    expect((await fetch(`${origin}/download?token=wrong&bucket=b&name=x`)).status).toBe(403)
    expect((await fetch(`${origin}/download?${query('missing')}`)).status).toBe(404)
    expect(
      (
        await fetch(`${origin}/upload?${query('x')}`, {
          method: 'POST',
          body: 'x',
          headers: { origin: 'http://evil.example' },
        })
      ).status,
    ).toBe(403)
  })
})
