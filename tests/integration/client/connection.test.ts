import { randomBytes } from 'node:crypto'
import net from 'node:net'
import tls from 'node:tls'
import { afterEach, describe, expect, it } from 'vitest'
import { BucketClient, type TransportError } from '../../../electron/client/index.js'
import { Connection } from '../../../electron/client/connection.js'
import { testIdentity } from '../server/helpers.js'

/** A server that accepts and then neither answers nor reads: a peer that hung. */
let hung: net.Server | undefined
const sockets: net.Socket[] = []
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.destroy())
  await new Promise((r) => (hung ? hung.close(r) : r(undefined)))
  hung = undefined
})

async function hungServer(greeting = ''): Promise<number> {
  hung = net.createServer((socket) => {
    sockets.push(socket)
    socket.pause()
    if (greeting) socket.write(greeting)
  })
  await new Promise<void>((r) => hung!.listen(0, '127.0.0.1', r))
  return (hung.address() as net.AddressInfo).port
}

describe('connection failures', () => {
  it('times out a write the peer stopped taking, instead of waiting for ever', async () => {
    const port = await hungServer()
    const c = await Connection.open({ host: '127.0.0.1', port, responseTimeoutMs: 300 })
    // Far more than the socket buffers hold on both ends.
    const error = await c.write(Buffer.alloc(64 * 1024 * 1024)).catch((e: unknown) => e)
    expect(error).toMatchObject({ reason: 'timeout' })
    expect(c.usable).toBe(false)
  })

  it('reports the first cause on every later call and in the close event, not a generic close', async () => {
    const port = await hungServer()
    const client = await BucketClient.connect({ host: '127.0.0.1', port, responseTimeoutMs: 300 })
    const closed = new Promise<TransportError>((r) => client.once('close', r))
    await expect(client.listBuckets()).rejects.toMatchObject({ reason: 'timeout' })
    client.close()
    expect(await closed).toMatchObject({ reason: 'timeout' })
  })
})

describe('received bytes', () => {
  it('reach the reader as one chunk when they arrived together, not one per TLS record', async () => {
    const identity = await testIdentity()
    const content = randomBytes(2 * 1024 * 1024)
    const server = tls.createServer({ key: identity.key, cert: identity.cert }, (socket) => {
      sockets.push(socket)
      socket.end(content)
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const { port } = server.address() as net.AddressInfo
      const c = await Connection.open({ host: '127.0.0.1', port, tls: {} })
      // Everything arrives (128 records of 16 KiB) before the reader asks.
      await new Promise((r) => setTimeout(r, 300))
      const chunks: Buffer[] = []
      await c.readBytes(content.length, (chunk, release) => {
        chunks.push(Buffer.from(chunk))
        release()
      })
      expect(Buffer.concat(chunks).equals(content)).toBe(true)
      // At most a chunk per 1 MiB block the reads landed in, and the last records of each.
      expect(chunks.length).toBeLessThan(16)
      c.destroy()
    } finally {
      await new Promise((r) => server.close(r))
    }
  })
})
