import { ProtocolError } from '../../shared/protocol/index.js'
import { Connection, type ConnectOptions } from './connection.js'
import { LocalFileError } from './endpoints.js'

/**
 * Connections for transfers, kept open between them: a folder of small files moves without a new
 * TCP handshake per file, and the command connection stays free while transfers run.
 */
export class ConnectionPool {
  private idle: Connection[] = []
  private closed = false

  constructor(
    /** Read at each new connection: the access code may have been given since. */
    private readonly options: () => ConnectOptions,
    /** Idle connections kept; more are closed when released. */
    private readonly maxIdle = 8,
  ) {}

  /** Runs `work` on a connection of its own; a connection left in doubt is not reused. */
  async use<T>(work: (connection: Connection) => Promise<T>): Promise<T> {
    const connection = await this.acquire()
    try {
      const result = await work(connection)
      this.release(connection)
      return result
    } catch (err) {
      // A refusal leaves the connection in step, and so does a local file that could not be
      // opened before anything was sent (the transfer cuts the connection when it fails later).
      if (err instanceof ProtocolError || err instanceof LocalFileError) this.release(connection)
      else connection.destroy()
      throw err
    }
  }

  close(): void {
    this.closed = true
    for (const connection of this.idle.splice(0)) connection.destroy()
  }

  /** An idle connection, or a new one; give it back with release(). */
  async acquire(): Promise<Connection> {
    for (let c = this.idle.pop(); c; c = this.idle.pop()) {
      // The server may have closed it meanwhile (idle timeout).
      if (c.usable) return c
      c.destroy()
    }
    return Connection.open(this.options())
  }

  /** Keeps a connection for the next transfer, unless it is in doubt or enough are idle. */
  release(connection: Connection): void {
    if (this.closed || !connection.usable || this.idle.length >= this.maxIdle) connection.destroy()
    else this.idle.push(connection)
  }
}
