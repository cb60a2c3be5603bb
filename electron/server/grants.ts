import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import type { Grant } from '../../shared/protocol/index.js'

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

export function hashCode(code: string, salt: string): Promise<string> {
  return new Promise((resolve, reject) =>
    scrypt(code.normalize('NFC'), salt, HASH_BYTES, SCRYPT, (err, key) =>
      err ? reject(err) : resolve(key.toString('hex')),
    ),
  )
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
