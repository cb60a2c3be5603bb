import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  BucketClient,
  CertificateChangedError,
  TransportError,
  fileSource,
  fileTarget,
  speaksTls,
} from '../../../electron/client/index.js'
import {
  loadOrCreateIdentity,
  startServer,
  type BucketServer,
  type Identity,
} from '../../../electron/server/index.js'
import { shortFingerprint } from '../../../shared/fingerprint.js'
import { randomFile, sha256Of } from './helpers.js'

let base: string
let server: BucketServer | undefined
const clients: BucketClient[] = []
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close())
  await server?.close()
  server = undefined
  await fs.rm(base, { recursive: true, force: true })
})

async function secureServer(): Promise<{ identity: Identity; root: string }> {
  base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-tls-')))
  const identity = await loadOrCreateIdentity(path.join(base, 'data'))
  const root = path.join(base, 'root')
  await fs.mkdir(root)
  server = await startServer({ root, port: 0, tls: identity })
  return { identity, root }
}

async function connect(fingerprint?: string): Promise<BucketClient> {
  const client = await BucketClient.connect({
    host: '127.0.0.1',
    port: server!.port,
    tls: fingerprint === undefined ? {} : { fingerprint },
  })
  clients.push(client)
  return client
}

describe('TLS', () => {
  it('keeps one identity per data folder, its key readable by the owner only', async () => {
    const { identity } = await secureServer()
    const again = await loadOrCreateIdentity(path.join(base, 'data'))
    expect(again.fingerprint).toBe(identity.fingerprint)
    expect(identity.fingerprint).toMatch(/^[0-9a-f]{64}$/)
    expect(shortFingerprint(identity.fingerprint)).toMatch(/^([0-9A-F]{4} ){7}[0-9A-F]{4}$/)
    const mode = (await fs.stat(path.join(base, 'data', 'tls-key.pem'))).mode & 0o777
    expect(mode).toBe(0o600)
  })

  it('moves commands and files encrypted, reporting the fingerprint to pin', async () => {
    const { identity, root } = await secureServer()
    expect(server!.encrypted).toBe(true)
    const client = await connect()
    expect(client.fingerprint).toBe(identity.fingerprint)
    await client.createBucket('b')
    const source = path.join(base, 'source')
    // Many read blocks, and more than the client queues before it pauses the socket.
    const hash = await randomFile(source, 24 * 1024 * 1024 + 7)
    await client.upload({ bucket: 'b', name: 'f', source: fileSource(source) })
    expect(await sha256Of(path.join(root, 'b', 'f'))).toBe(hash)
    const back = await client.download({
      bucket: 'b',
      name: 'f',
      target: fileTarget(path.join(base, 'back')),
    })
    expect(back.sha256).toBe(hash)
    expect(await sha256Of(path.join(base, 'back'))).toBe(hash)
  })

  it('accepts the pinned certificate and refuses a changed one', async () => {
    const { identity } = await secureServer()
    expect((await connect(identity.fingerprint)).fingerprint).toBe(identity.fingerprint)
    const other = 'ab'.repeat(32)
    const err = await connect(other).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CertificateChangedError)
    expect(err).toMatchObject({
      reason: 'untrusted',
      expected: other,
      actual: identity.fingerprint,
    })
    expect((err as Error).message).toContain(shortFingerprint(identity.fingerprint))
  })

  it('tells a TLS client that the server is plain', async () => {
    base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-tls-')))
    server = await startServer({ root: base, port: 0 })
    const err = await connect().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TransportError)
    expect(err).toMatchObject({ reason: 'not-tls' })
    expect((err as Error).message).toContain('does not speak TLS')
    expect(await speaksTls('127.0.0.1', server.port)).toBe(false)
  })

  it('drops a plain client at a TLS server, logs it, and keeps serving others', async () => {
    await secureServer()
    const log: string[] = []
    server!.on('log', ({ text }) => log.push(text))
    const plain = await BucketClient.connect({
      host: '127.0.0.1',
      port: server!.port,
      responseTimeoutMs: 2000,
    })
    // The server hangs up without a word: the client says what that suggests, and can make sure.
    await expect(plain.listBuckets()).rejects.toMatchObject({
      reason: 'silent',
      message: expect.stringContaining('an encrypted server does that to a plain connection'),
    })
    plain.close()
    expect(await speaksTls('127.0.0.1', server!.port)).toBe(true)
    expect(log).toContainEqual(
      expect.stringMatching(/^127\.0\.0\.1:\d+ did not start with a TLS handshake .*; closed$/),
    )
    expect(await (await connect()).listBuckets()).toEqual([])
  })

  it('finds out before any command that a plain connection reached a TLS server', async () => {
    await secureServer()
    const log: string[] = []
    server!.on('log', ({ text }) => log.push(text))
    const plain = await BucketClient.connect({ host: '127.0.0.1', port: server!.port })
    await expect(plain.probePlain(2000)).rejects.toMatchObject({ reason: 'silent' })
    plain.close()
    expect(log).toHaveLength(1)
  })

  it('lets a plain connection to a plain server through the probe unnoticed', async () => {
    base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-tls-')))
    server = await startServer({ root: base, port: 0 })
    const log: string[] = []
    server.on('log', ({ text }) => log.push(text))
    const plain = await BucketClient.connect({ host: '127.0.0.1', port: server.port })
    clients.push(plain)
    await plain.probePlain(100)
    expect(await plain.listBuckets()).toEqual([])
    expect(log.filter((line) => !line.endsWith(' connected'))).toEqual([
      expect.stringMatching(/ ls_b -> 500 BLS$/),
    ])
  })
})
