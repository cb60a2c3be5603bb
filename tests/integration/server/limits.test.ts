import { readdirSync } from 'node:fs'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { BucketClient, ProtocolError } from '../../../electron/client/index.js'
import { REFUSAL_MS } from '../../../electron/server/index.js'
import { eventually, startTestServer, testIdentity, type TestServer } from './helpers.js'

let t: TestServer
const sockets: net.Socket[] = []
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.destroy())
  await t?.stop()
})

/** Descriptors this process has open: the server runs in it. */
function descriptors(): number {
  return readdirSync('/proc/self/fd').length
}

/** A bare TCP connection (no TLS handshake, no command) from `localAddress`. */
function bare(port: number, localAddress = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () => resolve(socket))
    socket.on('error', reject)
    sockets.push(socket)
  })
}

/** A client that keeps its side open after the server's FIN, as a hostile one would. */
function halfOpen(port: number): Promise<net.Socket> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () =>
      resolve(socket),
    )
    socket.on('error', () => undefined)
    sockets.push(socket)
  })
}

const FROM_ADDRESS = '1450 CAF too many connections from your address; try again later'

describe('connection limits', () => {
  it('refuse with 1450 CAF, a code of its own that code_r lists', async () => {
    t = await startTestServer({ maxConnectionsPerAddress: 1 })
    const first = await t.connect()
    const second = await t.connect()
    expect(await second.line()).toBe(FROM_ADDRESS)
    await second.closed
    expect((await first.command('code_r')).data).toContain('1450 CAF   Connection Acceptance Fails')
  })

  it('treat loopback like any other address, and count each address on its own', async () => {
    t = await startTestServer({ maxConnectionsPerAddress: 2 })
    await t.connect({ localAddress: '127.0.0.2' })
    await t.connect({ localAddress: '127.0.0.2' })
    const third = await t.connect({ localAddress: '127.0.0.2' })
    expect(await third.line()).toBe(FROM_ADDRESS)
    const other = await t.connect({ localAddress: '127.0.0.3' })
    expect((await other.command('ls_b')).status).toBe('500 BLS')
  })

  it('refuse beyond the total, whatever the address', async () => {
    t = await startTestServer({ maxConnections: 2 })
    await t.connect({ localAddress: '127.0.0.2' })
    await t.connect({ localAddress: '127.0.0.3' })
    const third = await t.connect({ localAddress: '127.0.0.4' })
    expect(await third.line()).toBe('1450 CAF too many connections; try again later')
  })

  it('reach the client library as a protocol error', async () => {
    t = await startTestServer({ maxConnectionsPerAddress: 1, accessCode: 'code' })
    await t.connect()
    const refused = await BucketClient.connect({
      host: '127.0.0.1',
      port: t.server.port,
      accessCode: 'code',
    }).catch((err: unknown) => err)
    expect(refused).toBeInstanceOf(ProtocolError)
    expect(refused).toMatchObject({ code: 1450 })
  })
})

describe('refused connections', () => {
  it('leave no descriptor and no memory behind, whatever they sent', async () => {
    t = await startTestServer({ maxConnectionsPerAddress: 1 })
    await t.connect()
    const before = descriptors()
    const rssBefore = process.memoryUsage().rss
    const megabyte = Buffer.alloc(1024 * 1024, 'x')
    // 64 at once: the most the server keeps in the middle of a refusal.
    const refused = await Promise.all(Array.from({ length: 64 }, () => t.connect()))
    // Each one pushes a megabyte at the server, which reads none of it.
    refused.forEach((c) => c.socket.write(megabyte))
    for (const c of refused) expect(await c.line()).toBe(FROM_ADDRESS)
    refused.forEach((c) => c.destroy())
    await eventually(() => descriptors() <= before, REFUSAL_MS + 2_000)
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(32 * 1024 * 1024)
  })

  it('are closed by the server even when the client stays silent and never closes', async () => {
    t = await startTestServer({ maxConnectionsPerAddress: 1 })
    await t.connect()
    const before = descriptors()
    const silent = await halfOpen(t.server.port)
    const started = Date.now()
    // The client's own socket stays; the server's is gone within REFUSAL_MS.
    await eventually(() => descriptors() === before + 1, REFUSAL_MS + 1_000)
    expect(Date.now() - started).toBeGreaterThan(REFUSAL_MS / 2)
    expect(silent.destroyed).toBe(false)
  })

  it('are closed even when the client keeps sending', async () => {
    t = await startTestServer({ maxConnectionsPerAddress: 1 })
    await t.connect()
    const pushy = await halfOpen(t.server.port)
    const chunk = Buffer.alloc(64 * 1024, 'y')
    const timer = setInterval(() => pushy.writable && pushy.write(chunk), 10)
    await new Promise((resolve) => pushy.once('close', resolve))
    clearInterval(timer)
  })
})

describe('TLS handshakes', () => {
  it('count from the moment a connection is accepted', async () => {
    t = await startTestServer({ tls: await testIdentity(), maxConnectionsPerAddress: 4 })
    // Four connections that never start their handshake take the address's four slots.
    for (let i = 0; i < 4; i++) await bare(t.server.port, '127.0.0.2')
    const fifth = await t.connect({ localAddress: '127.0.0.2' })
    expect(await fifth.line()).toBe(FROM_ADDRESS)
    await fifth.closed
    // Another address is served, over TLS.
    const other = await t.connect({ localAddress: '127.0.0.3' })
    expect((await other.command('ls_b')).status).toBe('500 BLS')
  })

  it('cannot lock everyone out: half-open ones from one address stop at its limit', async () => {
    t = await startTestServer({ tls: await testIdentity() })
    const flood = await Promise.all(
      Array.from({ length: 200 }, () => bare(t.server.port, '127.0.0.2').catch(() => undefined)),
    )
    expect(flood.length).toBe(200)
    const other = await t.connect({ localAddress: '127.0.0.3' })
    expect((await other.command('ls_b')).status).toBe('500 BLS')
    // Beyond the 32 admitted, refusals are closed by the server within REFUSAL_MS.
    await eventually(
      () => sockets.filter((s) => !s.destroyed && s.readyState === 'open').length <= 33,
      REFUSAL_MS + 3_000,
    )
  })
})

describe('connections that have not given the access code', () => {
  it('have a smaller budget of their own, which proven ones never use up', async () => {
    t = await startTestServer({ accessCode: 'code', maxUnproven: 3, maxUnprovenPerAddress: 2 })
    const proven = await t.connect({ localAddress: '127.0.0.9' })
    expect((await proven.command('auth code')).status).toBe('1100 AGS')
    // Strangers: two from one address, then the third from it is refused.
    const stranger = await t.connect({ localAddress: '127.0.0.2' })
    await t.connect({ localAddress: '127.0.0.2' })
    const third = await t.connect({ localAddress: '127.0.0.2' })
    expect(await third.line()).toBe('1450 CAF too many new connections; try again later')
    // One more stranger fills the budget for everyone, the people with the code included…
    await t.connect({ localAddress: '127.0.0.3' })
    const late = await t.connect({ localAddress: '127.0.0.9' })
    expect(await late.line()).toBe('1450 CAF too many new connections; try again later')
    // …but those already in keep being served, and a stranger leaving frees a slot.
    expect((await proven.command('ls_b')).status).toBe('500 BLS')
    stranger.destroy()
    await eventually(() => t.server.clients().length === 3)
    const next = await t.connect({ localAddress: '127.0.0.9' })
    expect((await next.command('auth code')).status).toBe('1100 AGS')
  })

  it('leave the budget once they give the code', async () => {
    t = await startTestServer({ accessCode: 'code', maxUnproven: 1 })
    const a = await t.connect()
    expect((await a.command('auth code')).status).toBe('1100 AGS')
    const b = await t.connect()
    expect((await b.command('auth code')).status).toBe('1100 AGS')
    const c = await t.connect()
    expect((await c.command('init')).status).toBe('100 OK')
  })
})
