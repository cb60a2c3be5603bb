/** How a transfer is going: bytes moved of `total`, and the recent rate in bytes per second. */
export interface Progress {
  bytes: number
  total: number
  rate: number
}

/** How often progress is reported: often enough for a smooth bar, rarely enough to cost nothing. */
export const PROGRESS_INTERVAL_MS = 100

/**
 * Counts bytes as they move and reports them on a timer, never per chunk. The rate is smoothed
 * (exponential moving average over about a second) so the time left does not jump about.
 */
export class ProgressMeter {
  private bytes: number
  private rate = 0
  private lastBytes: number
  private lastTime = performance.now()
  private readonly timer: NodeJS.Timeout | undefined

  /** `start`: bytes there already (a continued transfer), counted but not in the rate. */
  constructor(
    private readonly total: number,
    private readonly report: ((progress: Progress) => void) | undefined,
    start = 0,
  ) {
    this.bytes = this.lastBytes = start
    if (report) {
      this.timer = setInterval(() => this.tick(), PROGRESS_INTERVAL_MS)
      this.timer.unref()
      report({ bytes: start, total, rate: 0 })
    }
  }

  add(n: number): void {
    this.bytes += n
  }

  /** Stops the timer; a finished transfer gets a last report with every byte counted. */
  stop(finished: boolean): void {
    clearInterval(this.timer)
    if (finished) {
      this.tick()
    }
  }

  private tick(): void {
    const now = performance.now()
    const seconds = (now - this.lastTime) / 1000
    if (seconds > 0) {
      const instant = (this.bytes - this.lastBytes) / seconds
      const weight = Math.min(1, seconds)
      this.rate = this.rate === 0 ? instant : this.rate + (instant - this.rate) * weight * 0.5
    }
    this.lastBytes = this.bytes
    this.lastTime = now
    this.report?.({ bytes: this.bytes, total: this.total, rate: Math.round(this.rate) })
  }
}
