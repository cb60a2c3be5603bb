import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { verificationString } from './fingerprint.js'
import { formatInvite, parseInvite } from './invite.js'

const FP = '3f2a9c1b77d012ab'.repeat(4)

describe('invites', () => {
  it('write the documented form', () => {
    expect(
      formatInvite({ host: '192.168.1.20', port: 4567, fingerprint: FP, accessCode: 'k7wq-3mzp' }),
    ).toBe(`bucketshare://192.168.1.20:4567/?fp=${FP}&code=k7wq-3mzp`)
    expect(formatInvite({ host: 'fe80::1', port: 1, fingerprint: FP })).toBe(
      `bucketshare://[fe80::1]:1/?fp=${FP}`,
    )
  })

  it('read back what they write, whatever the code and address', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain()),
        fc.integer({ min: 1, max: 65535 }),
        fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: undefined }),
        (host, port, accessCode) => {
          const invite = { host, port, fingerprint: FP, ...(accessCode ? { accessCode } : {}) }
          const parsed = parseInvite(formatInvite(invite))
          expect(parsed.ok).toBe(true)
          if (!parsed.ok) return
          expect(parsed.invite.port).toBe(port)
          expect(parsed.invite.fingerprint).toBe(FP)
          expect(parsed.invite.accessCode).toBe(accessCode)
          // The URL parser writes IPv6 addresses in their shortest form and names in lower case.
          expect(new URL(`http://${host.includes(':') ? `[${host}]` : host}/`).hostname).toBe(
            host.includes(':') ? `[${parsed.invite.host}]` : parsed.invite.host,
          )
        },
      ),
    )
  })

  it('accept the fingerprint with colons and upper case, and an invite without code', () => {
    const colons = FP.toUpperCase().match(/../g)!.join(':')
    expect(parseInvite(` bucketshare://host.local:4567/?fp=${colons} `)).toEqual({
      ok: true,
      invite: { host: 'host.local', port: 4567, fingerprint: FP },
    })
  })

  it.each([
    ['http://1.2.3.4:4567/?fp=' + FP, 'must start with bucketshare://'],
    ['bucketshare://1.2.3.4/?fp=' + FP, 'names no port'],
    ['bucketshare://:4567/?fp=' + FP, 'cannot be read'],
    ['bucketshare://1.2.3.4:99999/?fp=' + FP, 'cannot be read'],
    ['bucketshare://1.2.3.4:0/?fp=' + FP, 'from 1 to 65535'],
    ['bucketshare://1.2.3.4:4567/?code=x', 'no certificate fingerprint'],
    ['bucketshare://1.2.3.4:4567/?fp=' + FP.slice(1), '64 hexadecimal digits'],
    ['bucketshare://1.2.3.4:4567/?fp=' + FP.slice(2) + 'zz', '64 hexadecimal digits'],
    ['bucketshare://[fe80::1:4567/?fp=' + FP, 'cannot be read'],
  ])('refuse %s with a clear error', (text, why) => {
    const parsed = parseInvite(text)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.error).toMatch(new RegExp(`^not a valid invite: .*${why}`))
  })
})

describe('verification string', () => {
  it('is twenty digits in five groups, the same for the same fingerprint', () => {
    expect(verificationString(FP)).toMatch(/^\d{4}( \d{4}){4}$/)
    expect(verificationString(FP.toUpperCase())).toBe(verificationString(FP))
  })

  it('differs when the fingerprint differs in its first bits', () => {
    expect(verificationString('0' + FP.slice(1))).not.toBe(verificationString(FP))
  })
})
