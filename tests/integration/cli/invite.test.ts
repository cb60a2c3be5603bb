import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import tls from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  loadOrCreateIdentity,
  startServer,
  type BucketServer,
  type Identity,
} from '../../../electron/server/index.js'
import { verificationString } from '../../../shared/fingerprint.js'
import { formatInvite } from '../../../shared/invite.js'

/** `npm run client -- "<invite>"` (the launcher, as a person runs it) against a TLS server with an access code, on loopback. */
let base: string
let server: BucketServer
let identity: Identity

beforeAll(async () => {
  base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-invite-')))
  identity = await loadOrCreateIdentity(path.join(base, 'server-data'))
  await fs.mkdir(path.join(base, 'root', 'photos'), { recursive: true })
  server = await startServer({
    root: path.join(base, 'root'),
    port: 0,
    host: '127.0.0.1',
    accessCode: 'k7wq-3mzp-tr9d',
    tls: identity,
  })
})

afterAll(async () => {
  await server.close()
  await fs.rm(base, { recursive: true, force: true })
})

let runs = 0
/** The client CLI with `args`, `input` on its standard input, a data folder of its own. */
function client(
  args: string[],
  input = 'ls_b\n',
  dataDir = path.join(base, `client-data-${runs++}`),
): Promise<{ out: string; code: number | null }> {
  const child = spawn(process.execPath, [
    path.resolve('scripts/cli.mjs'),
    'client',
    ...args,
    '--data-dir',
    dataDir,
  ])
  let out = ''
  child.stdout.on('data', (c: Buffer) => (out += c.toString()))
  child.stderr.on('data', (c: Buffer) => (out += c.toString()))
  child.stdin.end(input)
  return new Promise((resolve) => child.on('close', (code) => resolve({ out, code })))
}

const invite = (changes: { fingerprint?: string; accessCode?: string } = {}): string =>
  formatInvite({
    host: '127.0.0.1',
    port: server.port,
    fingerprint: identity.fingerprint,
    accessCode: 'k7wq-3mzp-tr9d',
    ...changes,
  })

describe('npm run client -- "<invite>"', () => {
  it('connects and authenticates in one step, with no first-use question', async () => {
    const { out, code } = await client([invite()])
    expect(out).toContain('-> photos 0')
    expect(out).toContain('500 BLS')
    expect(out).not.toMatch(/First connection|Verification/)
    expect(code).toBe(0)
  })

  it('refuses another certificate before sending any command', async () => {
    // A TLS listener with the host's certificate that records every byte a client sends it.
    const received: Buffer[] = []
    let connections = 0
    const listener = tls.createServer({ key: identity.key, cert: identity.cert }, (socket) => {
      socket.on('data', (chunk: Buffer) => received.push(chunk))
      socket.on('error', () => undefined)
    })
    listener.on('connection', () => connections++)
    listener.on('tlsClientError', () => undefined)
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
    try {
      const tampered = identity.fingerprint.replace(/^./, (c) => (c === '0' ? '1' : '0'))
      const port = (listener.address() as AddressInfo).port
      const { out, code } = await client([
        formatInvite({
          host: '127.0.0.1',
          port,
          fingerprint: tampered,
          accessCode: 'k7wq-3mzp-tr9d',
        }),
      ])
      expect(out).toMatch(/presented another certificate than the invite names/)
      expect(code).toBe(1)
      expect(connections).toBe(1)
      // Not a byte after the handshake: no command, and no access code given away.
      expect(Buffer.concat(received).toString()).toBe('')
    } finally {
      listener.close()
    }
  })

  it('gives 1150 for a wrong code', async () => {
    const { out, code } = await client([invite({ accessCode: 'wrong-code' })])
    expect(out).toContain('error: 1150 AGF')
    expect(code).toBe(1)
  })

  it('connects without a code when the invite leaves it out, and the host asks for it', async () => {
    const noCode = formatInvite({
      host: '127.0.0.1',
      port: server.port,
      fingerprint: identity.fingerprint,
    })
    const { out } = await client([noCode])
    expect(out).toContain('1150 AGF access code required')
    const { out: given, code } = await client([noCode, '--access-code', 'k7wq-3mzp-tr9d'])
    expect(given).toContain('500 BLS')
    expect(code).toBe(0)
  })

  it('without an invite: a verification string on first contact, then known by certificate', async () => {
    const dataDir = path.join(base, 'known-by-certificate')
    const args = (host: string): string[] => [
      host,
      String(server.port),
      '--access-code',
      'k7wq-3mzp-tr9d',
    ]
    const first = await client(args('127.0.0.1'), 'ls_b\n', dataDir)
    expect(first.out).toContain(`Verification: ${verificationString(identity.fingerprint)}`)
    // The same host at another address: recognised by its certificate, no question.
    const moved = await client(args('localhost'), 'ls_b\n', dataDir)
    expect(moved.out).toContain(`Same certificate as 127.0.0.1:${server.port}`)
    expect(moved.out).not.toContain('Verification:')
    expect(moved.code).toBe(0)
  })

  it.each([
    ['bucketshare://127.0.0.1/?fp=abc', 'not a valid invite: it names no port'],
    [
      `bucketshare://127.0.0.1:4567/?code=x`,
      'not a valid invite: it has no certificate fingerprint',
    ],
    [
      'bucketshare://127.0.0.1:4567/?fp=xyz',
      'not a valid invite: the certificate fingerprint (fp=…) must be 64 hexadecimal digits',
    ],
  ])('explains what is wrong with the malformed %s, exit 1', async (link, why) => {
    const { out, code } = await client([link])
    expect(out).toContain(`error: ${why}`)
    expect(code).toBe(1)
  })
})
