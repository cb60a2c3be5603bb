import { describe, expect, it } from 'vitest'
import { hostInvite } from '../../electron/discovery/invites.js'
import { onLink, type Link } from '../../electron/discovery/links.js'
import {
  instanceName,
  parseTxt,
  recordsOf,
  txtOf,
  type Announcement,
} from '../../electron/discovery/records.js'
import { parseInvite } from '../../shared/invite.js'

const FP = 'c0ffee00'.repeat(8)
const host: Announcement = {
  displayName: "Kim's laptop",
  port: 4567,
  fingerprint: FP,
  codeRequired: true,
  protocolVersion: 1,
}
const link = (name: string, address: string): Link => ({ name, address, netmask: '255.255.255.0' })

describe('announcement records', () => {
  it('carry version, name, TLS, code and the full fingerprint, and read back', () => {
    expect(txtOf(host)).toEqual(['v=1', "name=Kim's laptop", 'tls=1', 'code=1', `fp=${FP}`])
    expect(parseTxt(txtOf(host).map((t) => Buffer.from(t)))).toEqual({
      protocolVersion: 1,
      displayName: "Kim's laptop",
      codeRequired: true,
      fingerprint: FP,
    })
  })

  it('read untrusted TXT records defensively', () => {
    expect(parseTxt([Buffer.from('name=x')])).toBeUndefined()
    expect(parseTxt(['v=1', 'tls=1', 'fp=not-hex'])).toMatchObject({ fingerprint: null })
    expect(parseTxt(['v=1', 'tls=0', `fp=${FP}`])).toMatchObject({ fingerprint: null })
    expect(parseTxt(['v=2', `name=${'é'.repeat(300)}`])?.displayName).toHaveLength(63)
  })

  it('make one instance name per certificate and port, without dots in the label', () => {
    expect(instanceName({ ...host, displayName: 'a.b' }, 'x')).toBe(
      'a b [c0ffee00-4567]._bucketshare._tcp.local',
    )
    expect(instanceName({ ...host, fingerprint: null }, 'feedbeef1234')).toContain(
      '[feedbeef-4567]',
    )
  })

  it('give each network its own address, and say goodbye with TTL 0', () => {
    const records = recordsOf(host, 'x', '10.9.8.7')
    expect(records.find((r) => r.type === 'A')).toMatchObject({ data: '10.9.8.7', ttl: 120 })
    expect(recordsOf(host, 'x', '10.9.8.7', true).map((r) => ('ttl' in r ? r.ttl : -1))).toEqual([
      0, 0, 0, 0,
    ])
  })
})

describe('networks', () => {
  it('tell whether an address is on a link', () => {
    expect(onLink(link('eth0', '10.1.2.3'), '10.1.2.200')).toBe(true)
    expect(onLink(link('eth0', '10.1.2.3'), '10.1.3.1')).toBe(false)
    expect(onLink(link('eth0', '10.1.2.3'), 'fe80::1')).toBe(false)
  })
})

describe('the invite of a host', () => {
  const options = { host: '0.0.0.0', port: 4567, fingerprint: FP, accessCode: 'k7wq' }

  it('names its first real network, not a container bridge or a VPN', () => {
    const links = [
      link('docker0', '172.17.0.1'),
      link('wg0', '10.8.0.2'),
      link('wlan0', '10.0.0.5'),
    ]
    expect(parseInvite(hostInvite(options, links))).toEqual({
      ok: true,
      invite: { host: '10.0.0.5', port: 4567, fingerprint: FP, accessCode: 'k7wq' },
    })
  })

  it('names the address it listens on, or loopback when there is no network', () => {
    expect(hostInvite({ ...options, host: '10.0.0.9' }, [])).toContain('//10.0.0.9:4567/')
    expect(hostInvite({ ...options, accessCode: null }, [])).toBe(
      `bucketshare://127.0.0.1:4567/?fp=${FP}`,
    )
  })
})
