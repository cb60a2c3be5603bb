import { hostPort, isPort, MAX_PORT, MIN_PORT } from './address.js'
import { normalizeFingerprint } from './fingerprint.js'

/**
 * Invites: one link that carries where a host is, which certificate it must present and,
 * optionally, its access code, so that joining is one step and safe.
 *
 *   bucketshare://<address>:<port>/?fp=<64 hex digits>[&code=<access code, percent-encoded>]
 *
 * The address is an IPv4 address, a host name or a bracketed IPv6 address; the port is always
 * written. `fp` is required: an invite that cannot prove the host's identity would invite a
 * first-use question, which is what invites exist to avoid (plain-TCP hosts have no invite).
 * Unknown parameters are ignored so later versions can add some.
 */
export const INVITE_SCHEME = 'bucketshare'

export interface Invite {
  host: string
  port: number
  /** SHA-256 of the host's certificate, 64 lowercase hex digits. */
  fingerprint: string
  /** Given with `auth` right after connecting; absent when the invite leaves it out. */
  accessCode?: string
}

export type InviteResult = { ok: true; invite: Invite } | { ok: false; error: string }

const FINGERPRINT = /^[0-9a-f]{64}$/

export function formatInvite(invite: Invite): string {
  const query = new URLSearchParams({ fp: normalizeFingerprint(invite.fingerprint) })
  if (invite.accessCode) query.set('code', invite.accessCode)
  // URLSearchParams writes spaces as "+"; %20 reads the same everywhere.
  return `${INVITE_SCHEME}://${hostPort(invite.host, invite.port)}/?${query.toString().replace(/\+/g, '%20')}`
}

/** True when the text looks like an invite at all (so a bad one gets the invite's error). */
export function isInviteLink(text: string): boolean {
  return text.trim().toLowerCase().startsWith(`${INVITE_SCHEME}:`)
}

/** Reads an invite; a malformed one gives a sentence saying what is wrong with it. */
export function parseInvite(text: string): InviteResult {
  const fail = (why: string): InviteResult => ({ ok: false, error: `not a valid invite: ${why}` })
  const trimmed = text.trim()
  if (!isInviteLink(trimmed)) return fail(`it must start with ${INVITE_SCHEME}://`)
  let url: URL
  try {
    url = new URL(trimmed)
  } catch {
    return fail('the link cannot be read (was it cut short?)')
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  if (host === '') return fail('it names no host (bucketshare://<address>:<port>/?fp=…)')
  if (url.port === '') return fail('it names no port (bucketshare://<address>:<port>/?fp=…)')
  const port = Number(url.port)
  if (!isPort(port)) return fail(`the port must be from ${MIN_PORT} to ${MAX_PORT}`)
  const fp = url.searchParams.get('fp')
  if (fp === null)
    return fail("it has no certificate fingerprint (fp=…), so the host can't be checked")
  const fingerprint = normalizeFingerprint(fp)
  if (!FINGERPRINT.test(fingerprint) || /[^0-9a-f:]/i.test(fp))
    return fail('the certificate fingerprint (fp=…) must be 64 hexadecimal digits')
  const code = url.searchParams.get('code')
  return {
    ok: true,
    invite: { host, port, fingerprint, ...(code ? { accessCode: code } : {}) },
  }
}
