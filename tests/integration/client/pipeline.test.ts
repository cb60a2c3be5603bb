import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  BucketClient,
  fileSource,
  fileTarget,
  LocalFileError,
  ProtocolError,
  LANE_DEPTH,
  LANE_MAX_BYTES,
  TRANSFER_CONCURRENCY,
  TransportError,
  type CommandRecord,
} from '../../../electron/client/index.js'
import { fixture, type Fixture } from './helpers.js'

let f: Fixture
let closing: (() => void)[] = []
afterEach(async () => {
  closing.forEach((close) => close())
  closing = []
  await f?.stop()
})

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')

/** `count` files of random bytes of `size` in the local folder: name → sha256. */
async function smallFiles(count: number, size: number): Promise<Map<string, string>> {
  const files = new Map<string, string>()
  for (let i = 0; i < count; i++) {
    const data = randomBytes(size)
    const name = `f${String(i).padStart(3, '0')}.bin`
    await fs.writeFile(path.join(f.local, name), data)
    files.set(name, sha256(data))
  }
  return files
}

/** The server's log lines of `verb` commands, by connection (`ip:port`). */
function byConnection(logs: string[], verb: string): Map<string, number> {
  const counts = new Map<string, number>()
  for (const line of logs) {
    const m = new RegExp(`^(\\S+) ${verb} `).exec(line)
    if (m) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1)
  }
  return counts
}

describe('small uploads sent with their command (put_f)', () => {
  it('sends many small files on a few connections, several in flight on each', async () => {
    f = await fixture()
    const logs: string[] = []
    f.server.on('log', ({ text }) => logs.push(text))
    const c = await f.connect()
    await c.createBucket('b')
    const files = await smallFiles(200, 1000)
    const results = await Promise.all(
      [...files.keys()].map((name) =>
        c.upload({ bucket: 'b', name, source: fileSource(path.join(f.local, name)) }),
      ),
    )
    expect(results.map((r) => r.sha256)).toEqual([...files.values()])
    for (const [name, hash] of files)
      expect(sha256(await fs.readFile(path.join(f.root, 'b', name)))).toBe(hash)
    const perConnection = byConnection(logs, 'put_f')
    expect([...perConnection.values()].reduce((a, b) => a + b)).toBe(200)
    expect(perConnection.size).toBeLessThanOrEqual(TRANSFER_CONCURRENCY)
    // No connection carried them one at a time only: more than one file per connection.
    expect(Math.min(...perConnection.values())).toBeGreaterThan(1)
  })

  it('skips files the server has already, asking resume_f on the same lanes', async () => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('b')
    const files = await smallFiles(30, 700)
    const names = [...files.keys()]
    const uploadAll = () =>
      Promise.all(
        names.map((name) =>
          c.upload({ bucket: 'b', name, source: fileSource(path.join(f.local, name)) }),
        ),
      )
    expect((await uploadAll()).every((r) => r.alreadyThere === undefined)).toBe(true)
    await fs.writeFile(path.join(f.local, names[0]!), 'changed')
    const records: CommandRecord[] = []
    c.on('command', (r) => records.push(r))
    const again = await uploadAll()
    expect(again[0]).toMatchObject({ sha256: sha256(Buffer.from('changed')) })
    expect(again[0]!.alreadyThere).toBeUndefined()
    expect(again.slice(1).every((r) => r.alreadyThere === true)).toBe(true)
    expect(records.filter((r) => r.line.startsWith('put_f'))).toHaveLength(1)
    expect(await fs.readFile(path.join(f.root, 'b', names[0]!), 'utf8')).toBe('changed')
  })

  it('sends a file of LANE_MAX_BYTES with put_f and one byte more with upload', async () => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('b')
    const records: CommandRecord[] = []
    c.on('command', (r) => records.push(r))
    for (const size of [LANE_MAX_BYTES, LANE_MAX_BYTES + 1]) {
      const file = path.join(f.local, `s${size}`)
      await fs.writeFile(file, randomBytes(size))
      await c.upload({ bucket: 'b', name: `s${size}`, source: fileSource(file) })
    }
    expect(records.map((r) => r.line)).toEqual([
      `put_f b s${LANE_MAX_BYTES} ${LANE_MAX_BYTES}`,
      `upload b s${LANE_MAX_BYTES + 1} ${LANE_MAX_BYTES + 1}`,
    ])
  })

  it('keeps the others going when some are refused or cannot be read', async () => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('b')
    const files = await smallFiles(40, 500)
    const names = [...files.keys()]
    const outcomes = await Promise.allSettled(
      names.map((name, i) =>
        c.upload({
          bucket: i % 10 === 3 ? 'ghost' : 'b',
          name: i % 10 === 5 ? '..' : name,
          source: fileSource(path.join(f.local, i % 10 === 7 ? 'missing' : name)),
        }),
      ),
    )
    outcomes.forEach((outcome, i) => {
      if (i % 10 === 3)
        expect(outcome).toMatchObject({ reason: { code: 750, detail: 'no such bucket' } })
      else if (i % 10 === 5) expect(outcome).toMatchObject({ reason: { code: 750 } })
      else if (i % 10 === 7)
        expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(LocalFileError)
      else expect(outcome).toMatchObject({ value: { sha256: files.get(names[i]!) } })
    })
    expect(
      outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof ProtocolError),
    ).toHaveLength(8)
    expect((await fs.readdir(path.join(f.root, 'b'))).length).toBe(28)
  })

  it('drops an upload cancelled before its turn, and the connection stays in step', async () => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('b')
    const files = await smallFiles(TRANSFER_CONCURRENCY * LANE_DEPTH + 20, 2000)
    const names = [...files.keys()]
    const cancel = new AbortController()
    const last = names.at(-1)!
    const uploads = names.map((name) =>
      c.upload({
        bucket: 'b',
        name,
        source: fileSource(path.join(f.local, name)),
        ...(name === last ? { signal: cancel.signal } : {}),
      }),
    )
    cancel.abort()
    const outcomes = await Promise.allSettled(uploads)
    expect(outcomes.at(-1)).toMatchObject({ reason: { reason: 'cancelled' } })
    expect((outcomes.at(-1) as PromiseRejectedResult).reason).toBeInstanceOf(TransportError)
    expect(outcomes.slice(0, -1).every((o) => o.status === 'fulfilled')).toBe(true)
    expect((await fs.readdir(path.join(f.root, 'b'))).sort()).toEqual(names.slice(0, -1))
  })

  it('uses upload with a server that announces protocol 1', async () => {
    f = await fixture()
    // Between client and server: the greeting says protocol 1, everything else passes as it is.
    const older = net.createServer((client) => {
      const server = net.connect(f.server.port, '127.0.0.1')
      client.pipe(server)
      server.on('data', (chunk: Buffer) =>
        client.write(chunk.toString('latin1').replace('protocol 2', 'protocol 1'), 'latin1'),
      )
      for (const s of [client, server]) s.on('error', () => undefined)
      client.on('close', () => server.destroy())
      server.on('close', () => client.destroy())
    })
    await new Promise<void>((resolve) => older.listen(0, '127.0.0.1', resolve))
    closing.push(() => older.close())
    const c = await BucketClient.connect({
      host: '127.0.0.1',
      port: (older.address() as net.AddressInfo).port,
    })
    closing.push(() => c.close())
    expect(await c.protocolVersion()).toBe(1)
    await c.createBucket('b')
    const records: CommandRecord[] = []
    c.on('command', (r) => records.push(r))
    await fs.writeFile(path.join(f.local, 'x'), 'abc')
    await c.upload({ bucket: 'b', name: 'x', source: fileSource(path.join(f.local, 'x')) })
    expect(records.map((r) => r.line)).toEqual(['upload b x 3'])
    expect(await fs.readFile(path.join(f.root, 'b', 'x'), 'utf8')).toBe('abc')
  })
})

describe('small downloads of a listing, several in flight on each connection', () => {
  /** A server with `count` small files in bucket b, and a local folder to download them into. */
  async function listed(
    count: number,
  ): Promise<{ c: BucketClient; files: Map<string, string>; into: string }> {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('b')
    const files = await smallFiles(count, 3000)
    for (const name of files.keys())
      await fs.copyFile(path.join(f.local, name), path.join(f.root, 'b', name))
    const into = path.join(f.local, 'into')
    await fs.mkdir(into)
    return { c, files, into }
  }

  it('fetches many small files on a few connections, several in flight on each', async () => {
    const { c, files, into } = await listed(200)
    const logs: string[] = []
    f.server.on('log', ({ text }) => logs.push(text))
    const results = await Promise.all(
      [...files.keys()].map((name) =>
        c.download({ bucket: 'b', name, target: fileTarget(into), size: 3000 }),
      ),
    )
    expect(results.map((r) => r.sha256)).toEqual([...files.values()])
    for (const [name, hash] of files)
      expect(sha256(await fs.readFile(path.join(into, name)))).toBe(hash)
    const perConnection = byConnection(logs, 'download')
    expect([...perConnection.values()].reduce((a, b) => a + b)).toBe(200)
    expect(perConnection.size).toBeLessThanOrEqual(TRANSFER_CONCURRENCY)
    expect(Math.min(...perConnection.values())).toBeGreaterThan(1)
    // Nothing but the files: no kept bytes, no records.
    expect((await fs.readdir(into)).sort()).toEqual([...files.keys()])
  })

  it('keeps the others going when some are refused, cannot be written or grew since listed', async () => {
    const { c, files, into } = await listed(40)
    const names = [...files.keys()]
    // Grown since listed: one still held in memory, one too large for a lane, fetched again.
    const grown = randomBytes(LANE_MAX_BYTES * 3)
    await fs.writeFile(path.join(f.root, 'b', names[1]!), grown)
    const large = randomBytes(17 * 1024 * 1024)
    await fs.writeFile(path.join(f.root, 'b', names[2]!), large)
    const outcomes = await Promise.allSettled(
      names.map((name, i) =>
        c.download({
          bucket: 'b',
          name: i % 10 === 3 ? 'ghost' : name,
          target: fileTarget(i % 10 === 7 ? path.join(into, 'no such folder', name) : into),
          size: 3000,
        }),
      ),
    )
    outcomes.forEach((outcome, i) => {
      if (i % 10 === 3) expect(outcome).toMatchObject({ reason: { code: 950 } })
      else if (i % 10 === 7)
        expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(LocalFileError)
      else if (i === 2)
        expect(outcome).toMatchObject({ value: { size: large.length, sha256: sha256(large) } })
      else if (i === 1)
        expect(outcome).toMatchObject({ value: { size: grown.length, sha256: sha256(grown) } })
      else expect(outcome).toMatchObject({ value: { sha256: files.get(names[i]!) } })
    })
    expect((await fs.readdir(into)).length).toBe(32)
  })

  it('fetches a small file whole over bytes an earlier, cut download kept, and drops them', async () => {
    const { c, files, into } = await listed(1)
    const [name] = [...files.keys()]
    const part = path.join(into, `.${name}.bucketshare-part`)
    await fs.writeFile(part, 'stale')
    await fs.writeFile(
      `${part}.json`,
      JSON.stringify({ source: 'elsewhere', version: 'v', size: 9 }),
    )
    const down = await c.download({
      bucket: 'b',
      name: name!,
      target: fileTarget(into),
      size: 3000,
    })
    expect(down.sha256).toBe(files.get(name!))
    expect(await fs.readdir(into)).toEqual([name])
  })

  it('finds a file already in place by its digest, and fetches nothing', async () => {
    const { c, files, into } = await listed(5)
    const names = [...files.keys()]
    for (const name of names) await fs.copyFile(path.join(f.local, name), path.join(into, name))
    const records: CommandRecord[] = []
    c.on('command', (r) => records.push(r))
    const again = await Promise.all(
      names.map((name) => c.download({ bucket: 'b', name, target: fileTarget(into), size: 3000 })),
    )
    expect(again.every((r) => r.alreadyThere === true)).toBe(true)
    expect(records.map((r) => r.line.split(' ')[0])).toEqual(names.map(() => 'resume_f'))
    expect((await fs.readdir(into)).sort()).toEqual(names)
  })

  it('drops a download cancelled before its turn, leaving nothing', async () => {
    const { c, files, into } = await listed(TRANSFER_CONCURRENCY * LANE_DEPTH + 20)
    const names = [...files.keys()]
    const cancel = new AbortController()
    const last = names.at(-1)!
    const downloads = names.map((name) =>
      c.download({
        bucket: 'b',
        name,
        target: fileTarget(into),
        size: 3000,
        ...(name === last ? { signal: cancel.signal } : {}),
      }),
    )
    cancel.abort()
    const outcomes = await Promise.allSettled(downloads)
    expect(outcomes.at(-1)).toMatchObject({ reason: { reason: 'cancelled' } })
    expect(outcomes.slice(0, -1).every((o) => o.status === 'fulfilled')).toBe(true)
    expect((await fs.readdir(into)).sort()).toEqual(names.slice(0, -1))
  })
})
