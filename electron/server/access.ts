import { randomInt } from 'node:crypto'
import type { GrantTable, StoredGrant } from './grants.js'

/** Failed attempts from one address before it must wait. */
const FREE_ATTEMPTS = 5
/** The first wait; it doubles with each further failure, up to MAX_LOCK_MS. */
const FIRST_LOCK_MS = 1_000
const MAX_LOCK_MS = 15 * 60_000
/**
 * Wrong codes per minute from all addresses together: past them everyone waits, so guessing from
 * many addresses is no faster than from a few. Addresses that gave the right code are spared.
 */
export const HOST_WRONG_CODES_PER_MINUTE = 30
const MINUTE_MS = 60_000
/** An address's record is forgotten this long after its last wrong or right code. */
const FORGET_MS = 60 * 60_000
/** Records kept at most of each kind: the oldest go first, so a flood cannot grow memory. */
const MAX_RECORDS = 10_000

/** Letters that cannot be mistaken for one another when read aloud or copied by hand. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'

/** A fresh access code such as `k7wq-3mzp-tr9d` (about 64 bits: guessing is hopeless). */
export function generateAccessCode(): string {
  const group = (): string =>
    Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')
  return [group(), group(), group()].join('-')
}

/** On a host that asks for no code, any code is accepted and opens no grant (everything is open). */
export type AccessCheck = { ok: true; grant?: StoredGrant } | { ok: false; reason: string }

/**
 * Checks access codes against the host's grants: in constant time, with a growing wait per remote
 * address after a few failures, and a budget of wrong codes per minute for the whole host, so
 * guessing is impractical even for a weak code a person chose, from one address or from thousands.
 */
export class AccessGate {
  /** By address, least recently touched first. */
  private readonly failures = new Map<string, { count: number; until: number; at: number }>()
  /** Addresses that gave the right code, with when they last did; least recent first. */
  private readonly known = new Map<string, number>()
  /** When the latest attempts not known to be right came (at most a minute's budget), oldest first. */
  private readonly recentWrong: number[] = []
  private prunedAt = 0

  constructor(
    readonly grants: GrantTable,
    private readonly maxRecords = MAX_RECORDS,
  ) {}

  async check(address: string, given: string, now = Date.now()): Promise<AccessCheck> {
    if (!this.grants.protected) return { ok: true }
    this.prune(now)
    const record = this.failures.get(address)
    if (record && record.until > now) return wait(record.until - now, 'too many wrong codes')
    const hostUntil = this.hostUntil(now)
    if (hostUntil > now && !this.known.has(address))
      return wait(hostUntil - now, 'too many wrong codes on this host')
    // Counted as wrong before the (slow) comparison, so that attempts made at once on many
    // connections cannot slip past either limit; a right code takes its count back.
    const count = (record?.count ?? 0) + 1
    const extra = count - FREE_ATTEMPTS
    const until = extra >= 0 ? now + Math.min(FIRST_LOCK_MS * 2 ** extra, MAX_LOCK_MS) : 0
    touch(this.failures, address, { count, until, at: now })
    this.recentWrong.push(now)
    if (this.recentWrong.length > HOST_WRONG_CODES_PER_MINUTE) this.recentWrong.shift()
    const grant = await this.grants.match(given)
    if (!grant) return { ok: false, reason: 'wrong access code' }
    this.failures.delete(address)
    const counted = this.recentWrong.lastIndexOf(now)
    if (counted >= 0) this.recentWrong.splice(counted, 1)
    touch(this.known, address, now)
    return { ok: true, grant }
  }

  /** Addresses remembered (failures and successes): bounded, and pruned as they age. */
  get tracked(): number {
    return this.failures.size + this.known.size
  }

  /** Until when everyone must wait: a minute after the oldest of a full minute's budget. */
  private hostUntil(now: number): number {
    if (this.recentWrong.length < HOST_WRONG_CODES_PER_MINUTE) return 0
    const until = this.recentWrong[0]! + MINUTE_MS
    return until > now ? until : 0
  }

  /** Forgets what aged (at most once a minute), and makes room so no map exceeds its bound. */
  private prune(now: number): void {
    if (now - this.prunedAt >= MINUTE_MS) {
      this.prunedAt = now
      for (const [address, record] of this.failures)
        if (record.until <= now && now - record.at > FORGET_MS) this.failures.delete(address)
      for (const [address, at] of this.known) if (now - at > FORGET_MS) this.known.delete(address)
    }
    for (const map of [this.failures, this.known])
      while (map.size >= this.maxRecords) map.delete(map.keys().next().value!)
  }
}

/** Sets a map entry as the most recent one. */
function touch<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key)
  map.set(key, value)
}

function wait(ms: number, why: string): AccessCheck {
  return { ok: false, reason: `${why}; try again in ${Math.ceil(ms / 1000)} s` }
}
