import { Worker, type TransferListItem } from 'node:worker_threads'

/**
 * A worker thread run from CommonJS source (so it runs the same bundled or not), started on first
 * use and keeping the process alive only while something waits for it. When it dies, `lost` is
 * told, and the next message starts a new one.
 */
export class SourceThread<Message> {
  private worker: Worker | undefined
  /** What waits for the thread: while any, it keeps the process alive. */
  private waiting = 0

  constructor(
    private readonly source: string,
    private readonly heard: (message: Message) => void,
    private readonly lost: (err: Error) => void,
  ) {}

  post(message: unknown, transfer: readonly TransferListItem[] = []): void {
    this.running().postMessage(message, transfer)
  }

  /** Something waits for the thread now. */
  hold(): void {
    if (++this.waiting === 1) this.running().ref()
  }

  /** Something no longer waits for it. */
  letGo(): void {
    if (this.waiting > 0 && --this.waiting === 0) this.worker?.unref()
  }

  private running(): Worker {
    if (this.worker) return this.worker
    const worker = new Worker(this.source, { eval: true })
    if (this.waiting === 0) worker.unref()
    worker.on('message', (message: Message) => this.heard(message))
    const failed = (err: Error): void => {
      if (this.worker !== worker) return
      this.worker = undefined
      this.waiting = 0
      this.lost(err)
    }
    worker.on('error', failed)
    worker.on('exit', (code) => failed(new Error(`the thread stopped (exit code ${code})`)))
    return (this.worker = worker)
  }
}
