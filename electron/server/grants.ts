import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { Grant } from '../../shared/protocol/index.js'
import { SourceThread } from '../source-thread.js'

/** A grant as the host keeps it: never the code, only its hash. */
export interface StoredGrant extends Grant {
  /** scrypt of the code (NFC) with the table's salt, in hex. */
  hash: string
}

/** A grant with its code in clear, as a host types it (`--grant`, the Host panel). */
export interface GrantWithCode extends Grant {
  code: string
}

/**
 * scrypt's cost: about 30 ms and 16 MiB per hash, paid once per `auth`, so that a settings file
 * that leaks does not give weak codes away cheaply.
 */
const SCRYPT = { N: 2 ** 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const
const HASH_BYTES = 32

export function newSalt(): string {
  return randomBytes(16).toString('hex')
}

/**
 * The hasher's thread: hashes one code at a time (CommonJS, given as source, so it runs the same
 * bundled or not).
 */
const HASHER = `
const { parentPort } = require('node:worker_threads')
const { scryptSync } = require('node:crypto')
parentPort.on('message', ({ id, code, salt, length, options }) => {
  try {
    parentPort.postMessage({ id, hash: scryptSync(code, salt, length, options).toString('hex') })
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message) })
  }
})`

/**
 * Codes are hashed on one thread of their own, one after another. scrypt's 16 MiB, taken on the
 * four threads of Node's pool (crypto.scrypt), stayed with each thread's allocator for good, and
 * glibc, having seen a block that large freed, stopped giving freed memory back to the system:
 * checking codes cost a server 60 to 110 MiB it kept. On one thread, with glibc's thresholds fixed
 * (allocator.ts), the block is given back after each hash.
 */
class Hasher {
  private readonly pending = new Map<
    number,
    { resolve: (hash: string) => void; reject: (err: Error) => void }
  >()
  private nextId = 0
  private readonly thread = new SourceThread<{ id: number; hash?: string; error?: string }>(
    HASHER,
    ({ id, hash, error }) => {
      const waiting = this.pending.get(id)
      if (!waiting) return
      this.pending.delete(id)
      this.thread.letGo()
      if (hash !== undefined) waiting.resolve(hash)
      else waiting.reject(new Error(error ?? 'scrypt failed'))
    },
    (err) => {
      for (const { reject } of this.pending.values()) reject(err)
      this.pending.clear()
    },
  )

  hash(code: string, salt: string): Promise<string> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      // Waiting hashes keep the process alive; an idle hasher does not.
      this.thread.hold()
      this.thread.post({ id, code, salt, length: HASH_BYTES, options: SCRYPT })
    })
  }
}

const hasher = new Hasher()

export function hashCode(code: string, salt: string): Promise<string> {
  return hasher.hash(code.normalize('NFC'), salt)
}

/** The codes of one host and what each may do. It can change while clients are connected. */
export class GrantTable {
  private entries: StoredGrant[]

  constructor(
    /** Salt of every hash in the table (one per host, so an `auth` costs one hash). */
    readonly salt: string,
    entries: readonly StoredGrant[] = [],
  ) {
    this.entries = [...entries]
  }

  /** A table from codes in clear, hashed with a new salt unless one is given. */
  static async fromCodes(grants: readonly GrantWithCode[], salt = newSalt()): Promise<GrantTable> {
    return new GrantTable(salt, await hashAll(grants, salt))
  }

  /** Whether clients must give a code at all. */
  get protected(): boolean {
    return this.entries.length > 0
  }

  list(): StoredGrant[] {
    return [...this.entries]
  }

  /** Takes effect at the next command of every connected client. */
  replace(entries: readonly StoredGrant[]): void {
    this.entries = [...entries]
  }

  /** The grant of this hash, as it is now: undefined once revoked or its code regenerated. */
  find(hash: string): StoredGrant | undefined {
    return this.entries.find((e) => e.hash === hash)
  }

  /** The grant a code opens, comparing against every hash in constant time. */
  async match(code: string): Promise<StoredGrant | undefined> {
    const given = Buffer.from(await hashCode(code, this.salt), 'hex')
    let found: StoredGrant | undefined
    for (const entry of this.entries)
      if (timingSafeEqual(given, Buffer.from(entry.hash, 'hex'))) found ??= entry
    return found
  }
}

export async function hashAll(
  grants: readonly GrantWithCode[],
  salt: string,
): Promise<StoredGrant[]> {
  return Promise.all(
    grants.map(async ({ code, ...grant }) => ({ ...grant, hash: await hashCode(code, salt) })),
  )
}
