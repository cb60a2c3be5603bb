import type { Socket } from 'node:net'
import { ConnectionLost } from './failures.js'

/** Lines are sent in batches of about this many characters: one system call for many lines. */
const BATCH_CHARS = 64 * 1024
/** The first batch of a response is small, so a long listing's first lines show at once. */
const FIRST_BATCH_CHARS = 2 * 1024

/**
 * Writes lines and raw bytes to a socket, in order, with backpressure: a write that fills the
 * socket's buffer waits for it to drain, so a slow reader never makes the server's memory grow.
 * Fails with ConnectionLost once the socket is closed.
 */
export class SocketWriter {
  /** Lines waiting to be sent. */
  private batch: string[] = []
  /** Characters in `batch`. */
  private batchChars = 0
  /** When the batch is sent: small at the start of a response, then large. */
  private limit = FIRST_BATCH_CHARS
  /** True while a write waits for the socket to drain: the server is waiting on the client. */
  private waiting = false

  constructor(private readonly socket: Socket) {}

  get blocked(): boolean {
    return this.waiting
  }

  /** Queues a line; sends the batch once it is large. */
  async line(text: string): Promise<void> {
    this.batch.push(text)
    this.batchChars += text.length + 1
    if (this.batchChars >= this.limit) {
      await this.sendBatch()
      this.limit = BATCH_CHARS
    }
  }

  /** Sends the queued lines: the end of a response, so the next one starts with a small batch. */
  async flush(): Promise<void> {
    this.limit = FIRST_BATCH_CHARS
    await this.sendBatch()
  }

  private async sendBatch(): Promise<void> {
    if (this.batch.length === 0) return
    const text = `${this.batch.join('\n')}\n`
    this.batch = []
    this.batchChars = 0
    await this.send(text)
  }

  /**
   * Sends raw bytes after the queued lines, and resolves once the socket has taken them in full:
   * the caller may then reuse the buffer.
   */
  async bytes(chunk: Uint8Array): Promise<void> {
    await this.flush()
    if (!this.socket.writable) throw new ConnectionLost()
    this.waiting = true
    try {
      await new Promise<void>((resolve, reject) =>
        this.socket.write(chunk, (err) => (err ? reject(new ConnectionLost()) : resolve())),
      )
    } finally {
      this.waiting = false
    }
  }

  private async send(data: string | Uint8Array): Promise<void> {
    if (!this.socket.writable) throw new ConnectionLost()
    if (this.socket.write(data)) return
    this.waiting = true
    try {
      await drained(this.socket)
    } finally {
      this.waiting = false
    }
  }
}

function drained(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (err?: Error): void => {
      socket.off('drain', onDrain).off('close', onClose)
      if (err) reject(err)
      else resolve()
    }
    const onDrain = (): void => settle()
    const onClose = (): void => settle(new ConnectionLost())
    socket.on('drain', onDrain).on('close', onClose)
  })
}
