import net from 'node:net'

/** A loopback TCP proxy that holds every chunk `delayMs` in each direction: a link with latency. */
export interface DelayProxy {
  port: number
  close(): Promise<void>
}

/**
 * Where the kernel has no netem qdisc (these machines), latency is added here: each chunk is
 * forwarded `delayMs` after it arrived, in order, so a round trip costs twice that. Bandwidth is
 * not limited; the bench's small files measure round trips, not bytes.
 */
export async function delayProxy(targetPort: number, delayMs: number): Promise<DelayProxy> {
  const sockets = new Set<net.Socket>()
  const forward = (from: net.Socket, to: net.Socket): void => {
    from.on('data', (chunk: Buffer) => {
      setTimeout(() => to.writable && to.write(chunk), delayMs)
    })
    from.on('end', () => setTimeout(() => to.end(), delayMs))
    from.on('error', () => to.destroy())
    from.on('close', () => setTimeout(() => to.destroy(), delayMs))
  }
  const server = net.createServer({ noDelay: true }, (client) => {
    const upstream = net.connect({ port: targetPort, host: '127.0.0.1', noDelay: true })
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.once('close', () => sockets.delete(s))
    }
    forward(client, upstream)
    forward(upstream, client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
