import net from 'node:net'

/*
 * A connection dropped mid-transfer, on loopback: what the resume scenario and the resume fault
 * tests cut transfers with.
 */

/**
 * A loopback proxy in front of a server that counts the bytes it forwards and can drop a
 * connection's two sockets once so many bytes went one way, as a network that goes away does.
 */
export class CutProxy {
  private readonly sockets = new Set<net.Socket>()
  /** Bytes forwarded each way since the proxy started. */
  readonly forwarded = { up: 0, down: 0 }
  private armed:
    | { direction: 'up' | 'down'; after: number; passed: number; done: (n: number) => void }
    | undefined

  private constructor(
    private readonly server: net.Server,
    private readonly target: () => number,
  ) {}

  static async start(target: () => number): Promise<CutProxy> {
    const server = net.createServer()
    const proxy = new CutProxy(server, target)
    server.on('connection', (client) => proxy.join(client))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return proxy
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port
  }

  /**
   * Destroys both sockets of the connection on which `after` more bytes go `direction` (up: to the
   * server); resolves with the bytes that went through on it, exactly `after`.
   */
  cutAfter(direction: 'up' | 'down', after: number): Promise<number> {
    return new Promise((done) => (this.armed = { direction, after, passed: 0, done }))
  }

  private join(client: net.Socket): void {
    const upstream = net.connect({ port: this.target(), host: '127.0.0.1' })
    const pair = [client, upstream]
    for (const s of pair) {
      this.sockets.add(s)
      s.on('error', () => pair.forEach((p) => p.destroy()))
      s.once('close', () => {
        this.sockets.delete(s)
        pair.forEach((p) => p.destroy())
      })
    }
    this.forward(client, upstream, 'up', pair)
    this.forward(upstream, client, 'down', pair)
  }

  private forward(from: net.Socket, to: net.Socket, direction: 'up' | 'down', pair: net.Socket[]) {
    from.on('data', (chunk: Buffer) => {
      const armed = this.armed?.direction === direction ? this.armed : undefined
      if (armed && armed.passed + chunk.length >= armed.after) {
        const part = chunk.subarray(0, armed.after - armed.passed)
        this.armed = undefined
        // What reached the far side's kernel is all it gets; then both sockets go.
        this.forwarded[direction] += part.length
        to.write(part, () => {
          pair.forEach((p) => p.destroy())
          armed.done(armed.after)
        })
        from.pause()
        return
      }
      if (armed) armed.passed += chunk.length
      this.forwarded[direction] += chunk.length
      if (!to.write(chunk)) {
        from.pause()
        to.once('drain', () => from.resume())
      }
    })
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise((resolve) => this.server.close(resolve))
  }
}
