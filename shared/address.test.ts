import { describe, expect, it } from 'vitest'
import { hostPort, isPort, parsePort } from './address.js'

describe('parsePort', () => {
  it.each([
    ['1', 1],
    ['4567', 4567],
    ['65535', 65535],
    [' 22 ', 22],
  ])('reads %j as %i', (text, port) => expect(parsePort(text)).toEqual({ ok: true, port }))

  it.each(['0', '65536', '-1', '1.5', 'abc', '', '0x10', '123456'])(
    'refuses %j to connect to, with the one range',
    (text) =>
      expect(parsePort(text)).toEqual({
        ok: false,
        reason: 'a port is a whole number from 1 to 65535',
      }),
  )

  it('takes 0 ("any free port") only for a host about to listen', () => {
    expect(parsePort('0', { anyFree: true })).toEqual({ ok: true, port: 0 })
    expect(parsePort('65536', { anyFree: true })).toEqual({
      ok: false,
      reason: 'a port is a whole number from 0 to 65535',
    })
  })

  it('agrees with isPort', () => {
    for (const port of [0, 1, 80, 65535, 65536, 1.5]) {
      const parsed = parsePort(String(port))
      expect(parsed.ok).toBe(isPort(port))
    }
  })
})

describe('hostPort', () => {
  it('brackets IPv6 addresses only', () => {
    expect(hostPort('127.0.0.1', 4567)).toBe('127.0.0.1:4567')
    expect(hostPort('host.local', 1)).toBe('host.local:1')
    expect(hostPort('::1', 4567)).toBe('[::1]:4567')
    expect(hostPort('fe80::1%eth0', 80)).toBe('[fe80::1%eth0]:80')
  })
})
