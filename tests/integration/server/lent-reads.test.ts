import { createHash, randomBytes } from 'node:crypto'
import net from 'node:net'
import tls from 'node:tls'
import { afterEach, describe, expect, it } from 'vitest'
import { lendReads } from '../../../electron/server/lent-reads.js'
import { testIdentity } from './helpers.js'

const MiB = 2 ** 20

interface Received {
  /** The sha256 of the bytes, copied out of each lent view as it came. */
  sha256: () => string
  bytes: number
  /** Every distinct memory the views lay in. */
  memory: Set<ArrayBufferLike>
  ended: Promise<void>
}

let servers: net.Server[] = []
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
  servers = []
})

/** A server (plain or TLS) whose connections read through lendReads; resolves with its port. */
async function serve(
  encrypted: boolean,
  onConnection: (received: Received, socket: net.Socket) => void,
  withoutHooks = false,
): Promise<number> {
  const accept = (socket: net.Socket): void => {
    // A runtime whose sockets cannot read into a buffer of ours.
    if (withoutHooks)
      Object.defineProperty((socket as unknown as { _handle: object })._handle, 'useUserBuffer', {
        value: undefined,
      })
    const hash = createHash('sha256')
    let ended!: () => void
    const received: Received = {
      sha256: () => hash.copy().digest('hex'),
      bytes: 0,
      memory: new Set(),
      ended: new Promise((r) => (ended = r)),
    }
    lendReads(socket, (bytes) => {
      received.memory.add(bytes.buffer)
      received.bytes += bytes.length
      hash.update(bytes)
    })
    socket.on('end', () => {
      ended()
      socket.end()
    })
    onConnection(received, socket)
    socket.resume()
  }
  const options = { pauseOnConnect: true, allowHalfOpen: true }
  const identity = encrypted ? await testIdentity() : undefined
  const server = identity
    ? tls.createServer({ ...options, key: identity.key, cert: identity.cert }, accept)
    : net.createServer(options, accept)
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return (server.address() as net.AddressInfo).port
}

function send(encrypted: boolean, port: number, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = encrypted
      ? tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false })
      : net.connect({ port, host: '127.0.0.1' })
    socket.on('error', reject).on('close', () => resolve())
    socket.end(data)
    socket.resume()
  })
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')

describe.each([
  ['plain TCP', false],
  ['TLS', true],
])('lendReads over %s', (_, encrypted) => {
  it('lends every read of every connection from one buffer, and the bytes arrive whole', async () => {
    const connections: Received[] = []
    const port = await serve(encrypted, (received) => connections.push(received))
    const sent = [randomBytes(3 * MiB), randomBytes(5 * MiB)]
    await Promise.all(sent.map((data) => send(encrypted, port, data)))
    await Promise.all(connections.map((c) => c.ended))
    const byLength = [...connections].sort((a, b) => a.bytes - b.bytes)
    expect(byLength.map((c) => c.sha256())).toEqual(sent.map(sha256))
    // Hundreds of reads, and no new memory for any of them: one buffer across both connections.
    const memory = new Set(connections.flatMap((c) => [...c.memory]))
    expect(memory.size).toBe(1)
  })

  it('reads nothing while the socket is paused', async () => {
    let lent = 0
    let whilePaused = -1
    const port = await serve(encrypted, (received, socket) => {
      const first = (): void => {
        if (received.bytes === 0) return void setImmediate(first)
        socket.pause()
        lent = received.bytes
        setTimeout(() => {
          whilePaused = received.bytes - lent
          socket.resume()
        }, 200)
      }
      first()
      void received.ended.then(() => (lent = received.bytes))
    })
    const data = randomBytes(32 * MiB)
    await send(encrypted, port, data)
    expect(whilePaused).toBe(0)
    expect(lent).toBe(data.length)
  })
})

describe('lendReads where sockets cannot be given a buffer', () => {
  it('lends Node’s own buffers, and the bytes arrive whole', async () => {
    const connections: Received[] = []
    const port = await serve(false, (received) => connections.push(received), true)
    const sent = randomBytes(3 * MiB)
    await send(false, port, sent)
    await connections[0]!.ended
    expect(connections[0]!.sha256()).toBe(sha256(sent))
    // A new buffer for every read.
    expect(connections[0]!.memory.size).toBeGreaterThan(1)
  })
})
