import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Role } from '../../../shared/protocol/index.js'
import { hashAll, type StoredGrant } from '../../../electron/server/index.js'
import {
  download,
  eventually,
  sha256,
  startTestServer,
  tree,
  upload,
  type RawClient,
  type Response,
  type TestServer,
} from './helpers.js'

const ROLES: Role[] = ['read', 'drop', 'write', 'full']
const code = (role: Role): string => `${role}-code-1234`
const NOT_ALLOWED = 'not allowed for this access code'

/**
 * Every command that names a bucket, run on a bucket of the grant and on one outside it, by every
 * role: the roles that may run it succeed; the others, and every role outside its grant, fail with
 * the command's code and the same reason, and leave the disk and the trash as they were.
 */
interface Case {
  line: (bucket: string) => string
  /** Success status (prefix) per role allowed; every other role gets `failure`. */
  allowed: Partial<Record<Role, string>>
  failure: string
  /** Runs it on its own when it moves bytes. */
  upload?: { file: string }
  download?: true
}

const CASES: Case[] = [
  {
    line: (b) => `ls_f ${b}`,
    allowed: { read: '800', write: '800', full: '800' },
    failure: '850 FLF',
  },
  {
    line: (b) => `download ${b} f.txt`,
    download: true,
    allowed: { read: '900', write: '900', full: '900' },
    failure: '950 FDFBF',
  },
  {
    line: (b) => `upload ${b} new.txt 3`,
    upload: { file: 'new.txt' },
    allowed: { drop: '700 FUTBS', write: '700 FUTBS', full: '700 FUTBS' },
    failure: '750 FUTBF',
  },
  {
    line: (b) => `upload ${b} f.txt 3`,
    upload: { file: 'f.txt' },
    allowed: { drop: '700 FUTBS stored as "f (2).txt"', write: '700 FUTBS', full: '700 FUTBS' },
    failure: '750 FUTBF',
  },
  {
    line: (b) => `rename_f ${b} f.txt g.txt`,
    allowed: { write: '1200 FRS', full: '1200 FRS' },
    failure: '1250 FRF',
  },
  { line: (b) => `create_b ${b}-new`, allowed: { full: '300 BCS' }, failure: '350 BCF' },
  { line: (b) => `delete_f ${b} f.txt`, allowed: { full: '1000 FDS' }, failure: '1050 FDF' },
  { line: (b) => `delete_b ${b}`, allowed: { full: '600 BDS' }, failure: '650 BDF' },
  { line: (b) => `ls_t ${b}`, allowed: { full: '1700 TRLS' }, failure: '1750 TRLF' },
  { line: (b) => `restore_f ${b} gone.txt`, allowed: { full: '1300 FRES' }, failure: '1350 FREF' },
  {
    line: (b) => `resume_f ${b} f.txt 5`,
    allowed: { read: '1500 RPS', drop: '1500 RPS', write: '1500 RPS', full: '1500 RPS' },
    failure: '1550 RPF',
  },
]

/** The commands that name no bucket: what each role is answered. */
const UNSCOPED: { line: string; allowed: Role[]; success: string; failure?: string }[] = [
  { line: 'ls_b', allowed: ROLES, success: '500 BLS' },
  { line: 'ls_f', allowed: ['read', 'write', 'full'], success: '800 FLS', failure: '850 FLF' },
  { line: 'ls_t', allowed: ['full'], success: '1700 TRLS', failure: '1750 TRLF' },
  { line: 'changes', allowed: ROLES, success: '1600 CHS' },
  { line: 'init', allowed: ROLES, success: '100 OK' },
  { line: 'code_r', allowed: ROLES, success: '100 OK' },
  { line: 'help', allowed: ROLES, success: '100 OK' },
]

let t: TestServer
let admin: RawClient
const sessions = new Map<Role, RawClient>()
/** The grants, hashed once; each case moves them onto its own buckets. */
let hashed: StoredGrant[]
let n = 0

beforeAll(async () => {
  t = await startTestServer({ accessCode: 'admin-code' })
  hashed = await hashAll(
    ROLES.map((role) => ({ code: code(role), label: `${role} grant`, role, buckets: [] })),
    t.server.grants.salt,
  )
  t.server.grants.replace([...t.server.grants.list(), ...hashed])
  admin = await t.connect()
  expect((await admin.command('auth admin-code')).status).toBe('1100 AGS')
  for (const role of ROLES) {
    const c = await t.connect()
    expect((await c.command(`auth ${code(role)}`)).status).toBe('1100 AGS')
    sessions.set(role, c)
  }
})
afterAll(() => t?.stop())

/** Two buckets with a file each and a deleted file in the trash; grants reach the first only. */
async function prepare(): Promise<{ inside: string; outside: string }> {
  n++
  const inside = `in${n}`
  const outside = `out${n}`
  for (const b of [inside, outside]) {
    await fs.mkdir(path.join(t.root, b))
    await fs.writeFile(path.join(t.root, b, 'f.txt'), 'hello')
    await fs.writeFile(path.join(t.root, b, 'gone.txt'), 'bye')
    expect((await admin.command(`delete_f ${b} gone.txt`)).status).toBe('1000 FDS')
  }
  const admin0 = t.server.grants.list()[0]!
  t.server.grants.replace([
    admin0,
    ...hashed.map((g) => ({ ...g, buckets: [inside, `${inside}-new`] })),
  ])
  return { inside, outside }
}

async function state(buckets: string[]): Promise<unknown> {
  const files = await Promise.all(
    buckets.map((b) => tree(path.join(t.root, b)).catch(() => 'missing')),
  )
  return { files, trash: t.server.trash!.list().map((r) => r.id) }
}

async function run(c: RawClient, kase: Case, bucket: string): Promise<Response> {
  if (kase.upload) return upload(c, bucket, kase.upload.file, 'new')
  if (kase.download) {
    const { data, status } = await download(c, bucket, 'f.txt')
    return { data, status }
  }
  return c.command(kase.line(bucket))
}

describe('every command under every role, inside and outside the grant', () => {
  for (const kase of CASES)
    for (const role of ROLES) {
      const expected = kase.allowed[role]
      it(`${kase.line('B')} as ${role}: inside ${expected ?? 'refused'}, outside refused`, async () => {
        const { inside, outside } = await prepare()
        const c = sessions.get(role)!
        const before = await state([outside, `${outside}-new`])
        const out = await run(c, kase, outside)
        expect(out).toEqual({ data: [], status: `${kase.failure} ${NOT_ALLOWED}` })
        expect(await state([outside, `${outside}-new`])).toEqual(before)

        const beforeIn = await state([inside, `${inside}-new`])
        const result = await run(c, kase, inside)
        if (expected) expect(result.status.startsWith(expected)).toBe(true)
        else {
          expect(result).toEqual({ data: [], status: `${kase.failure} ${NOT_ALLOWED}` })
          expect(await state([inside, `${inside}-new`])).toEqual(beforeIn)
        }
        // The connection is in step: the next command is answered as usual.
        expect((await c.command('init')).status).toBe('100 OK')
      })
    }
})

describe('every command naming no bucket under every role', () => {
  for (const kase of UNSCOPED)
    for (const role of ROLES) {
      const allowed = kase.allowed.includes(role)
      it(`${kase.line} as ${role}: ${allowed ? kase.success : 'refused'}`, async () => {
        await prepare()
        const before = await state([])
        const out = await sessions.get(role)!.command(kase.line)
        if (allowed) expect(out.status).toBe(kase.success)
        else expect(out).toEqual({ data: [], status: `${kase.failure} ${NOT_ALLOWED}` })
        expect(await state([])).toEqual(before)
      })
    }
})

describe('listings under a grant', () => {
  it('ls_b lists only the buckets the code reaches; a drop code sees no files', async () => {
    const { inside, outside } = await prepare()
    for (const role of ROLES) {
      const lines = (await sessions.get(role)!.command('ls_b')).data
      const listed = lines.map((l) => l.split(' ')[0])
      expect(listed).toContain(inside)
      expect(listed).not.toContain(outside)
      // A drop code is not told how many files others left there.
      expect(lines).toContain(`${inside} ${role === 'drop' ? 0 : 1}`)
    }
    const drop = sessions.get('drop')!
    expect((await drop.command('ls_f')).status).toBe(`850 FLF ${NOT_ALLOWED}`)
    expect((await drop.command(`ls_f ${inside}`)).status).toBe(`850 FLF ${NOT_ALLOWED}`)
    const read = await sessions.get('read')!.command('ls_f')
    expect(
      read.data.every((l) => l.startsWith(`${inside} `) || l.startsWith(`${inside}-new`)),
    ).toBe(true)
    expect(read.data.some((l) => l.startsWith(`${inside} f.txt 5 `))).toBe(true)
    expect((await sessions.get('full')!.command('ls_t')).data.map((l) => l.split(' ')[0])).toEqual([
      inside,
    ])
    // Nor how many changes were made: its version is opaque, but still moves with a change.
    const version = async (role: Role): Promise<string> =>
      (await sessions.get(role)!.command('changes')).data[0]!
    const [readVersion, dropVersion] = [await version('read'), await version('drop')]
    expect(readVersion).toMatch(/^\d+\./)
    expect(dropVersion).toMatch(/^[0-9a-f]{16}$/)
    expect((await admin.command(`delete_f ${inside} f.txt`)).status).toBe('1000 FDS')
    expect(await version('drop')).not.toBe(dropVersion)
    expect(await version('read')).not.toBe(readVersion)
  })

  it('help shows only what the code may do', async () => {
    const verbs = async (c: RawClient): Promise<string[]> =>
      (await c.command('help')).data
        .filter((l) => !l.startsWith(' '))
        .map((l) => l.split(' ')[0]!)
        .sort()
    const open = ['auth', 'code_r', 'help', 'init', 'quit']
    const anyCode = [...open, 'changes', 'ls_b']
    expect(await verbs(sessions.get('read')!)).toEqual(
      [...anyCode, 'download', 'ls_f', 'resume_f'].sort(),
    )
    expect(await verbs(sessions.get('drop')!)).toEqual(
      [...anyCode, 'put_f', 'resume_f', 'upload'].sort(),
    )
    expect(await verbs(sessions.get('write')!)).toEqual(
      [...anyCode, 'download', 'ls_f', 'put_f', 'rename_f', 'resume_f', 'upload'].sort(),
    )
    expect(await verbs(sessions.get('full')!)).toHaveLength(18)
    expect(await sessions.get('drop')!.command('help download')).toEqual({
      data: [],
      status: `400 BCMD download: ${NOT_ALLOWED}`,
    })
    const stranger = await t.connect()
    expect(await verbs(stranger)).toEqual(open)
  })
})

describe('a drop box', () => {
  it('keeps both of two clients uploading the same name, and shows neither to the other', async () => {
    const { inside } = await prepare()
    const [a, b] = [await t.connect(), await t.connect()]
    for (const c of [a, b]) await c.command(`auth ${code('drop')}`)
    const [ra, rb] = await Promise.all([
      upload(a, inside, 'homework.txt', 'from a'),
      upload(b, inside, 'homework.txt', 'from b'),
    ])
    const statuses = [ra.status, rb.status].sort()
    expect(statuses).toEqual(['700 FUTBS', '700 FUTBS stored as "homework (2).txt"'])
    const files = await fs.readdir(path.join(t.root, inside))
    expect(files.sort()).toEqual(['f.txt', 'homework (2).txt', 'homework.txt'])
    const contents = await Promise.all(
      ['homework.txt', 'homework (2).txt'].map((f) =>
        fs.readFile(path.join(t.root, inside, f), 'utf8'),
      ),
    )
    expect(contents.sort()).toEqual(['from a', 'from b'])
    for (const c of [a, b]) {
      expect((await c.command(`ls_f ${inside}`)).status).toBe(`850 FLF ${NOT_ALLOWED}`)
      expect((await download(c, inside, 'homework.txt')).status).toBe(`950 FDFBF ${NOT_ALLOWED}`)
    }
  })
})

describe('grants changed while clients are connected', () => {
  it('apply at the next command: a new role, fewer buckets, a revoked code', async () => {
    const { inside } = await prepare()
    const c = sessions.get('write')!
    expect((await c.command(`ls_f ${inside}`)).status).toBe('800 FLS')
    const others = t.server.grants.list().filter((g) => g.role !== 'write')
    const write = t.server.grants.list().find((g) => g.role === 'write')!
    t.server.grants.replace([...others, { ...write, role: 'drop' }])
    expect((await c.command(`ls_f ${inside}`)).status).toBe(`850 FLF ${NOT_ALLOWED}`)
    t.server.grants.replace([...others, { ...write, buckets: ['elsewhere'] }])
    expect((await c.command('ls_b')).data).toEqual([])
    t.server.grants.replace(others)
    expect((await c.command('ls_b')).status).toBe(
      '1150 AGF access code withdrawn by the host: auth <access code>',
    )
    expect((await c.command(`auth ${code('write')}`)).status).toBe('1150 AGF wrong access code')
    await eventually(() => t.logs.some((l) => l.includes('[write grant] access withdrawn')))
    t.server.grants.replace([...others, write])
    expect((await c.command(`auth ${code('write')}`)).status).toBe('1100 AGS')
  })

  it('lets a download in progress finish when its code is revoked meanwhile', async () => {
    const { inside } = await prepare()
    const big = Buffer.alloc(8 * 1024 * 1024, 7)
    await fs.writeFile(path.join(t.root, inside, 'big.bin'), big)
    const c = await t.connect()
    await c.command(`auth ${code('read')}`)
    const all = t.server.grants.list()
    c.send(`download ${inside} big.bin`)
    expect(await c.line()).toBe(`-> size ${big.length}`)
    t.server.grants.replace(all.filter((g) => g.role !== 'read'))
    const bytes = await c.bytes(big.length)
    const rest = await c.response()
    expect(sha256(bytes)).toBe(sha256(big))
    expect(rest.status).toBe('900 FDFBS')
    expect((await c.command(`ls_f ${inside}`)).status).toMatch(/^1150 AGF access code withdrawn/)
    t.server.grants.replace(all)
  })
})

describe('an upload in progress when its code is revoked', () => {
  it('finishes whole, and the next command is refused', async () => {
    const { inside } = await prepare()
    const big = Buffer.alloc(4 * 1024 * 1024, 9)
    const c = await t.connect()
    await c.command(`auth ${code('write')}`)
    const all = t.server.grants.list()
    c.send(`upload ${inside} big.bin ${big.length}`)
    expect(await c.line()).toBe(`-> ready ${big.length}`)
    await c.write(big.subarray(0, big.length / 2))
    t.server.grants.replace(all.filter((g) => g.role !== 'write'))
    await c.write(big.subarray(big.length / 2))
    const rest = await c.response()
    expect(rest).toEqual({ data: [`sha256 ${sha256(big)}`], status: '700 FUTBS' })
    expect(sha256(await fs.readFile(path.join(t.root, inside, 'big.bin')))).toBe(sha256(big))
    expect((await c.command(`ls_f ${inside}`)).status).toMatch(/^1150 AGF access code withdrawn/)
    t.server.grants.replace(all)
  })
})

describe('the host log', () => {
  it('names the grant on every command outcome and never a code', async () => {
    const { inside } = await prepare()
    await sessions.get('read')!.command(`ls_f ${inside}`)
    await sessions.get('drop')!.command(`ls_f ${inside}`)
    expect(t.logs.some((l) => / \[read grant\] ls_f in\d+ -> 800 FLS$/.test(l))).toBe(true)
    expect(
      t.logs.some((l) => l.endsWith(`[drop grant] ls_f ${inside} -> 850 FLF ${NOT_ALLOWED}`)),
    ).toBe(true)
    const text = t.logs.join('\n')
    for (const role of ROLES) expect(text).not.toContain(code(role))
    expect(text).not.toContain('admin-code')
  })
})
