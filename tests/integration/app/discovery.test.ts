import { afterEach, describe, expect, it } from 'vitest'
import { verificationString } from '../../../shared/fingerprint.js'
import { formatInvite, parseInvite } from '../../../shared/invite.js'
import type { ConnectionState, DiscoveryState, HostStatus, Settings } from '../../../shared/ipc.js'
import { appFixture, freePort, type AppFixture } from './helpers.js'

let f: AppFixture | undefined
let host: AppFixture | undefined
afterEach(async () => {
  await f?.stop()
  await host?.stop()
  f = host = undefined
})

/** Another app hosting its folder over TLS on the network, with an access code. */
async function otherHost(): Promise<HostStatus> {
  host = await appFixture()
  return host.ok<HostStatus>('host:start', {
    root: host.shared,
    port: await freePort(),
    exposure: 'network',
    displayName: 'Lab host',
  })
}

describe('the host', () => {
  it('shows an invite with its address, certificate and code, and its display name', async () => {
    const status = await otherHost()
    expect(status.displayName).toBe('Lab host')
    const invite = parseInvite(status.invite!)
    expect(invite).toEqual({
      ok: true,
      invite: expect.objectContaining({
        port: status.port,
        fingerprint: status.fingerprint,
        accessCode: status.accessCode,
      }),
    })
    // The tests turn mDNS off (BUCKETSHARE_DISCOVERY=off): nothing leaves this machine.
    expect(status.announced).toBe(false)
    expect((await host!.ok<Settings>('settings:get')).displayName).toBe('Lab host')
  })
})

describe('invites', () => {
  it('connect and authenticate in one step, without a first-contact question', async () => {
    const status = await otherHost()
    f = await appFixture()
    const link = status.invite!.replace(/\/\/[^:/]+:/, '//127.0.0.1:')
    expect(await f.ok('connection:invite', { link })).toMatchObject({
      status: 'connected',
      fingerprint: status.fingerprint,
      firstContact: false,
    })
    expect(await f.ok('buckets:list')).toEqual([])
  })

  it('refuse another certificate with no way to trust it', async () => {
    const status = await otherHost()
    f = await appFixture()
    const link = formatInvite({
      host: '127.0.0.1',
      port: status.port!,
      fingerprint: '0'.repeat(64),
      accessCode: status.accessCode!,
    })
    const state = await f.ok<ConnectionState>('connection:invite', { link })
    expect(state).toMatchObject({
      status: 'disconnected',
      error: expect.stringContaining('another certificate than the invite names'),
    })
    expect(state).not.toHaveProperty('certificateChanged')
  })

  it('give 1150 for a wrong code, and a clear error for a malformed link', async () => {
    const status = await otherHost()
    f = await appFixture()
    const link = formatInvite({
      host: '127.0.0.1',
      port: status.port!,
      fingerprint: status.fingerprint!,
      accessCode: 'wrong-code',
    })
    expect(await f.ok('connection:invite', { link })).toMatchObject({
      status: 'disconnected',
      error: expect.stringMatching(/Access Grant Fails.*wrong access code/),
    })
    expect(await f.ok('connection:invite', { link: 'bucketshare://127.0.0.1/?fp=1' })).toEqual({
      status: 'disconnected',
      error: expect.stringContaining('not a valid invite'),
    })
  })
})

describe('known peers', () => {
  it('are known by their certificate at a new address, and remembered once', async () => {
    const status = await otherHost()
    f = await appFixture()
    const peer = { port: status.port!, accessCode: status.accessCode! }
    expect(await f.ok('connection:connect', { ...peer, host: '127.0.0.1' })).toMatchObject({
      status: 'connected',
      firstContact: true,
    })
    expect(verificationString(status.fingerprint!)).toMatch(/^\d{4}( \d{4}){4}$/)
    // The same certificate at another address: the same peer, no first-contact question.
    expect(await f.ok('connection:connect', { ...peer, host: 'localhost' })).toMatchObject({
      status: 'connected',
      firstContact: false,
    })
    expect((await f.ok<Settings>('settings:get')).recentPeers).toEqual([
      { host: 'localhost', port: status.port, fingerprint: status.fingerprint },
    ])
  })
})

describe('discovery', () => {
  it('says why it does not run when it is turned off', async () => {
    f = await appFixture()
    expect(await f.ok<DiscoveryState>('discovery:start')).toMatchObject({
      running: true,
      hosts: [],
      networks: [],
      disabled: 'discovery is turned off (BUCKETSHARE_DISCOVERY=off)',
    })
    expect(await f.ok<DiscoveryState>('discovery:stop')).toMatchObject({ running: false })
  })
})
