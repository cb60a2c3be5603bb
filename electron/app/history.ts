import type {
  ConsoleEntry,
  EventName,
  Events,
  LogLine,
  SessionHistory,
  TransferInfo,
} from '../../shared/ipc.js'
import type { Emit } from './events.js'

/** Kept per kind: about as much as the page itself keeps on screen. */
export const KEPT = { console: 2_000, housekeeping: 200, hostLog: 500, transfers: 1_000 } as const

/**
 * The session so far, kept in the app's process: the Console's conversation, the server log and
 * the transfers (each in its latest state). A reloaded page starts from it instead of from nothing.
 * It records the events every service publishes, so it needs no hooks of its own.
 */
export class History {
  private console: ConsoleEntry[] = []
  /** The app's own listings, kept apart: polled every second, they would push out real history. */
  private housekeeping: ConsoleEntry[] = []
  private hostLog: LogLine[] = []
  private readonly transfers = new Map<string, TransferInfo>()

  /** Wraps `emit` so that every event is also recorded. */
  recording(emit: Emit): Emit {
    return (event, payload) => {
      this.note(event, payload)
      emit(event, payload)
    }
  }

  snapshot(): SessionHistory {
    return {
      console: [...this.console, ...this.housekeeping].sort((a, b) => a.id - b.id),
      hostLog: [...this.hostLog],
      transfers: [...this.transfers.values()],
    }
  }

  private note<E extends EventName>(event: E, payload: Events[E]): void {
    if (event === 'console:entry') {
      const entry = payload as ConsoleEntry
      if (entry.source === 'auto')
        this.housekeeping = keep(this.housekeeping, entry, KEPT.housekeeping)
      else this.console = keep(this.console, entry, KEPT.console)
    } else if (event === 'host:log')
      this.hostLog = keep(this.hostLog, payload as LogLine, KEPT.hostLog)
    else if (event === 'transfer:update') {
      const info = payload as TransferInfo
      // Re-inserted so the map stays in order of the latest change; the oldest go first.
      this.transfers.delete(info.id)
      this.transfers.set(info.id, info)
      if (this.transfers.size > KEPT.transfers)
        this.transfers.delete(this.transfers.keys().next().value!)
    }
  }
}

function keep<T>(list: T[], item: T, max: number): T[] {
  const next = [...list, item]
  return next.length > max ? next.slice(-max) : next
}
