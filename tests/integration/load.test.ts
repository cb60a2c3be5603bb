import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { BucketClient, streamSource, streamTarget } from '../../electron/client/index.js'
import { startServer } from '../../electron/server/index.js'

const CLIENTS = 200
/** Operations each client runs: every kind twice, in an order that differs between clients. */
const ROUNDS = 6

const sha = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')

let base: string
afterAll(() => fs.rm(base, { recursive: true, force: true }))

describe('load', () => {
  it(`serves ${CLIENTS} clients mixing listings, uploads and downloads, losing nothing`, async () => {
    base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-load-')))
    // Every client comes from 127.0.0.1: the per-address limit is raised to let them all in.
    const server = await startServer({
      root: base,
      port: 0,
      maxConnections: 2000,
      maxConnectionsPerAddress: 2000,
    })
    const admin = await BucketClient.connect({ host: '127.0.0.1', port: server.port })
    for (let b = 0; b < 5; b++) await admin.createBucket(`bucket-${b}`)
    const expected = new Map<string, string>()
    const counts = { ls: 0, up: 0, down: 0 }
    let rssPeak = process.memoryUsage().rss
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20)
    const started = performance.now()
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, () =>
        BucketClient.connect({ host: '127.0.0.1', port: server.port }),
      ),
    )
    await Promise.all(
      clients.map(async (client, i) => {
        // A fixed amount of work, not a time window: how much fits in a second is the bench's job.
        for (let n = 0; n < ROUNDS; n++) {
          const bucket = `bucket-${(i + n) % 5}`
          const action = (i + n) % 3
          if (action === 0) {
            await client.listFiles(bucket)
            counts.ls++
          } else if (action === 1) {
            const data = randomBytes(1024 + ((i * 7919 + n * 104729) % 64_000))
            const name = `c${i}-n${n}.bin`
            await client.upload({
              bucket,
              name,
              source: streamSource(data.length, Readable.from([data])),
            })
            expected.set(`${bucket}/${name}`, sha(data))
            counts.up++
          } else {
            const mine = [...expected.keys()].filter((k) => k.includes(`/c${i}-`))
            const key = mine[n % Math.max(1, mine.length)]
            if (!key) continue
            const [b, name] = key.split('/') as [string, string]
            const chunks: Buffer[] = []
            const { Writable } = await import('node:stream')
            const result = await client.download({
              bucket: b,
              name,
              target: streamTarget(
                () =>
                  new Writable({
                    write(chunk: Buffer, _e, done) {
                      chunks.push(chunk)
                      done()
                    },
                  }),
              ),
            })
            expect(result.sha256).toBe(expected.get(key))
            counts.down++
          }
        }
      }),
    )
    clearInterval(sampler)
    clients.forEach((c) => c.close())
    // Every file on disk is whole: its hash is the one uploaded.
    for (const [key, hash] of expected)
      expect(sha(await fs.readFile(path.join(base, key)))).toBe(hash)
    expect(await fs.readdir(path.join(base, '.bucketshare', 'staging'))).toEqual([])
    const total = counts.ls + counts.up + counts.down
    const seconds = (performance.now() - started) / 1000
    console.log(
      `load: ${CLIENTS} clients: ${total} operations in ${seconds.toFixed(1)} s: ` +
        `${counts.ls} listings, ${counts.up} uploads, ${counts.down} downloads; ` +
        `process peak RSS ${Math.round(rssPeak / 1e6)} MB (clients and server together)`,
    )
    expect(counts).toMatchObject({ ls: 2 * CLIENTS, up: 2 * CLIENTS })
    // A client whose first turn is a download has nothing of its own to fetch yet.
    expect(counts.down).toBe(2 * CLIENTS - Math.ceil((CLIENTS - 2) / 3))
    expect(rssPeak).toBeLessThan(1024 ** 3)
    admin.close()
    await server.close()
  }, 60_000)
})
