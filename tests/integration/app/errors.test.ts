import fs from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { AppError, bridgeErrorOf } from '../../../electron/app/errors.js'
import {
  CertificateChangedError,
  LocalFileError,
  ProtocolError,
  TransportError,
} from '../../../electron/client/index.js'
import { CertificateError, SetupError, StoreError } from '../../../electron/server/index.js'
import type { HostStatus } from '../../../shared/ipc.js'
import { appFixture, freePort, type AppFixture } from './helpers.js'

describe('the one error mapper', () => {
  it.each([
    [new ProtocolError(850, 'no such bucket'), 850, 'no such bucket'],
    [new TransportError('timeout', '127.0.0.1:1 did not answer in time'), 'TRANSPORT', 'in time'],
    [
      new CertificateChangedError('h:1', 'a'.repeat(64), 'b'.repeat(64)),
      'CERTIFICATE',
      'different certificate',
    ],
    [
      new CertificateError('The TLS certificate in "/x" cannot be read'),
      'CERTIFICATE',
      'cannot be read',
    ],
    [new SetupError('Cannot listen on 127.0.0.1:1: the port is already in use'), 'HOST', 'in use'],
    [new StoreError('no such entry in the trash'), 'HOST', 'no such entry in the trash'],
    [new LocalFileError('cannot read a.txt: permission denied'), 'LOCAL_FILE', 'permission denied'],
    [new AppError('NOT_CONNECTED', 'Not connected'), 'NOT_CONNECTED', 'Not connected'],
  ] as const)('maps %s to its code and sentence', (err, code, words) => {
    const mapped = bridgeErrorOf(err)
    expect(mapped.code).toBe(code)
    expect(mapped.message).toContain(words)
  })

  it('never passes on the text of an unexpected error', () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    try {
      expect(bridgeErrorOf(new Error("EACCES: open '/home/me/secret'"))).toEqual({
        code: 'INTERNAL',
        message: 'Something went wrong inside BucketShare',
      })
      expect(logged).toHaveBeenCalledOnce()
    } finally {
      logged.mockRestore()
    }
  })
})

describe('the host panel, when the host cannot start', () => {
  let f: AppFixture | undefined
  afterEach(async () => {
    await f?.stop()
    f = undefined
  })

  it('says a certificate that cannot be read is a certificate failure, with what to do', async () => {
    f = await appFixture()
    const dir = path.join(f.base, 'settings')
    await fs.mkdir(dir, { recursive: true })
    await fs.writeFile(path.join(dir, 'tls-key.pem'), 'not a key')
    await fs.writeFile(path.join(dir, 'tls-cert.pem'), 'not a certificate')
    const result = await f.core.invoke('host:start', {
      root: f.shared,
      port: await freePort(),
      exposure: 'loopback',
    })
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'CERTIFICATE',
        message: expect.stringMatching(
          /TLS certificate .* cannot be read: move tls-key\.pem and tls-cert\.pem away/,
        ),
      },
    })
    const status = f.events['host:status'].at(-1) as HostStatus
    expect(status.running).toBe(false)
    expect(status.error).toBe(result.ok ? undefined : result.error.message)
  })

  it('says a port in use is the host failing to start', async () => {
    f = await appFixture()
    const taken = net.createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    try {
      const port = (taken.address() as net.AddressInfo).port
      const result = await f.core.invoke('host:start', {
        root: f.shared,
        port,
        exposure: 'loopback',
        encrypted: false,
      })
      expect(result).toEqual({
        ok: false,
        error: {
          code: 'HOST',
          message: `Cannot listen on 127.0.0.1:${port}: the port is already in use`,
        },
      })
    } finally {
      await new Promise((resolve) => taken.close(resolve))
    }
  })

  it('says a folder that is not there is the host failing to start', async () => {
    f = await appFixture()
    const result = await f.core.invoke('host:start', {
      root: path.join(f.base, 'missing'),
      port: await freePort(),
      exposure: 'loopback',
      encrypted: false,
    })
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'HOST', message: expect.stringContaining('no such folder') },
    })
  })
})
