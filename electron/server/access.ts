import { randomInt } from 'node:crypto'
import type { GrantTable, StoredGrant } from './grants.js'

/** Failed attempts from one address before it must wait. */
const FREE_ATTEMPTS = 5
/** The first wait; it doubles with each further failure, up to MAX_LOCK_MS. */
const FIRST_LOCK_MS = 1_000
const MAX_LOCK_MS = 15 * 60_000

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
 * Checks access codes against the host's grants: in constant time, and with a growing wait per
 * remote address after a few failures, so guessing is impractical even for a weak code a person
 * chose.
 */
export class AccessGate {
  private readonly failures = new Map<string, { count: number; until: number }>()

  constructor(readonly grants: GrantTable) {}

  async check(address: string, given: string, now = Date.now()): Promise<AccessCheck> {
    if (!this.grants.protected) return { ok: true }
    const record = this.failures.get(address)
    if (record && record.until > now) {
      const seconds = Math.ceil((record.until - now) / 1000)
      return { ok: false, reason: `too many wrong codes; try again in ${seconds} s` }
    }
    const grant = await this.grants.match(given)
    if (grant) {
      this.failures.delete(address)
      return { ok: true, grant }
    }
    // Counted from the latest record: other attempts may have failed while this one was hashed.
    const count = (this.failures.get(address)?.count ?? 0) + 1
    const extra = count - FREE_ATTEMPTS
    const until = extra >= 0 ? now + Math.min(FIRST_LOCK_MS * 2 ** extra, MAX_LOCK_MS) : 0
    this.failures.set(address, { count, until })
    return { ok: false, reason: 'wrong access code' }
  }
}
