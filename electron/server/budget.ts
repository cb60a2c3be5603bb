/**
 * How many connections may be open at once. Every TCP connection counts from the moment it is
 * accepted, a TLS handshake in progress included, until its socket is closed. Connections that
 * have not yet proved themselves (given the access code on a host that has one, or finished their
 * TLS handshake) also count against a smaller budget of their own, so that strangers can never take
 * the slots of people who know the code.
 */
export interface ConnectionLimits {
  /** Connections at once, in total. */
  total: number
  /** Connections at once from one IP address (loopback included). */
  perAddress: number
  /** Connections at once that have not proved themselves yet, in total. */
  unproven: number
  /** The same, from one IP address. */
  unprovenPerAddress: number
}

/** A connection's place in the budget: unproven at first, given back once on release(). */
export interface Slot {
  /** The connection proved itself: it leaves the unproven budget (the total still counts it). */
  prove(): void
  release(): void
}

interface Count {
  all: number
  unproven: number
}

/** Counts the connections open, in total and by address, and decides whether one more may be. */
export class ConnectionBudget {
  private readonly total: Count = { all: 0, unproven: 0 }
  private readonly byAddress = new Map<string, Count>()

  constructor(private readonly limits: ConnectionLimits) {}

  /** A slot for a new connection from `address`, or the reason it is over a limit. */
  admit(address: string): Slot | string {
    const own = this.byAddress.get(address) ?? { all: 0, unproven: 0 }
    const { limits, total } = this
    if (total.all >= limits.total) return 'too many connections'
    if (own.all >= limits.perAddress) return 'too many connections from your address'
    if (total.unproven >= limits.unproven || own.unproven >= limits.unprovenPerAddress)
      return 'too many new connections'
    this.byAddress.set(address, own)
    const counts = [total, own]
    counts.forEach((c) => (c.all++, c.unproven++))
    let state: 'unproven' | 'proven' | 'released' = 'unproven'
    return {
      prove: () => {
        if (state !== 'unproven') return
        state = 'proven'
        counts.forEach((c) => c.unproven--)
      },
      release: () => {
        if (state === 'released') return
        counts.forEach((c) => (c.all--, state === 'unproven' && c.unproven--))
        state = 'released'
        if (own.all === 0) this.byAddress.delete(address)
      },
    }
  }

  /** Connections open now (for tests and the soak's bookkeeping). */
  get open(): number {
    return this.total.all
  }
}
