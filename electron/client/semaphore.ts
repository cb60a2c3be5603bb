import { TransportError } from './errors.js'

/** Limits how many transfers run at once; waiting ones can be cancelled. */
export class Semaphore {
  private waiting: (() => void)[] = []

  constructor(private free: number) {}

  /** A slot at once, or undefined when none is free. */
  tryAcquire(): (() => void) | undefined {
    if (this.free === 0) return undefined
    this.free--
    return this.releaser()
  }

  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.free > 0) this.free--
    else
      await new Promise<void>((resolve, reject) => {
        const start = (): void => {
          signal?.removeEventListener('abort', cancel)
          resolve()
        }
        const cancel = (): void => {
          this.waiting = this.waiting.filter((w) => w !== start)
          reject(new TransportError('cancelled', 'cancelled'))
        }
        if (signal?.aborted) return cancel()
        signal?.addEventListener('abort', cancel, { once: true })
        this.waiting.push(start)
      })
    return this.releaser()
  }

  /** Gives the slot to the first waiting, or back; only once. */
  private releaser(): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.waiting.shift()
      if (next) next()
      else this.free++
    }
  }
}
