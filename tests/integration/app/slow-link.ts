import net from 'node:net'
import { Transform, pipeline, type TransformCallback } from 'node:stream'

/**
 * A loopback TCP proxy in front of a server: a link of limited speed (so a transfer is still
 * running when a test cuts it) that a test can cut, take down and bring back up.
 */
export interface SlowLink {
  port: number
  /** Bytes per second in each direction, per connection; Infinity for full speed. */
  rate: number
  /** Destroys every connection through the link, as a dropped network does. */
  cut(): void
  /** While down, new connections are refused (closed at once). */
  down: boolean
  close(): Promise<void>
}

export async function slowLink(targetPort: number, rate: number): Promise<SlowLink> {
  const sockets = new Set<net.Socket>()
  const link: SlowLink = {
    port: 0,
    rate,
    down: false,
    cut: () => sockets.forEach((s) => s.destroy()),
    close: () =>
      new Promise((resolve) => {
        link.cut()
        server.close(() => resolve())
      }),
  }
  const throttle = (): Transform =>
    new Transform({
      transform(chunk: Buffer, _encoding, done: TransformCallback) {
        if (link.rate === Infinity) return done(null, chunk)
        setTimeout(() => done(null, chunk), (chunk.length / link.rate) * 1000)
      },
    })
  const server = net.createServer((client) => {
    if (link.down) return void client.destroy()
    const upstream = net.connect({ port: targetPort, host: '127.0.0.1' })
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.once('close', () => sockets.delete(s))
    }
    const both = (): void => {
      client.destroy()
      upstream.destroy()
    }
    pipeline(client, throttle(), upstream, both)
    pipeline(upstream, throttle(), client, both)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  link.port = (server.address() as net.AddressInfo).port
  return link
}
