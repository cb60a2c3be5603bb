/**
 * What a BucketShare host says about itself over DNS-SD (RFC 6763): the service type, its
 * instance and host names, and the TXT record. Pure: no sockets here.
 */
import type { Answer } from 'dns-packet'
import { normalizeFingerprint } from '../../shared/fingerprint.js'

export const SERVICE_TYPE = '_bucketshare._tcp.local'
/** Where DNS-SD browsers ask which service types exist. */
export const SERVICE_ENUMERATION = '_services._dns-sd._udp.local'

/** RFC 6762 §10: 120 s for records naming a host's address, 75 minutes for the others. */
export const HOST_TTL = 120
export const OTHER_TTL = 4500

/** What a host announces. */
export interface Announcement {
  /** Shown to people nearby; editable, the computer's name by default. */
  displayName: string
  port: number
  /** SHA-256 of the certificate; null for a plain-TCP host. */
  fingerprint: string | null
  /** Clients must give an access code. */
  codeRequired: boolean
  protocolVersion: number
}

/** An announcement as heard, with the name it was heard under. */
export interface Heard extends Announcement {
  instance: string
}

/** Display names longer than this are cut: a DNS label holds 63 bytes. */
const MAX_NAME_CHARS = 40

/** The name shown, made safe for a DNS label (no dots) and short enough. */
function labelOf(name: string): string {
  const clean = name.replace(/[.\p{Cc}]/gu, ' ').trim() || 'BucketShare'
  let label = [...clean].slice(0, MAX_NAME_CHARS).join('')
  while (Buffer.byteLength(label) > MAX_NAME_CHARS) label = label.slice(0, -1)
  return label
}

/**
 * "Kim's laptop [3f2a9c1b-4567]._bucketshare._tcp.local": the fingerprint and port make it
 * unique on the network without the probing rounds of RFC 6762 §8 (two hosts with the same
 * certificate on the same port would be one host copied).
 */
export function instanceName(a: Announcement, plainId: string): string {
  return `${labelOf(a.displayName)} [${(a.fingerprint ?? plainId).slice(0, 8)}-${a.port}].${SERVICE_TYPE}`
}

/** The host name in the SRV record: our own, so it never clashes with the computer's. */
export function targetName(a: Announcement, plainId: string): string {
  return `bucketshare-${(a.fingerprint ?? plainId).slice(0, 12)}-${a.port}.local`
}

export function txtOf(a: Announcement): string[] {
  return [
    `v=${a.protocolVersion}`,
    `name=${[...a.displayName].slice(0, 63).join('')}`,
    `tls=${a.fingerprint ? 1 : 0}`,
    `code=${a.codeRequired ? 1 : 0}`,
    ...(a.fingerprint ? [`fp=${a.fingerprint}`] : []),
  ]
}

/** Reads a TXT record heard on the network (untrusted: anything may be in it). */
export function parseTxt(data: unknown): Omit<Announcement, 'port'> | undefined {
  const entries = (Array.isArray(data) ? data : [data]).map((d) =>
    Buffer.isBuffer(d) ? d.toString('utf8') : String(d),
  )
  const pairs = new Map<string, string>()
  for (const entry of entries) {
    const at = entry.indexOf('=')
    if (at > 0) pairs.set(entry.slice(0, at).toLowerCase(), entry.slice(at + 1))
  }
  const version = Number(pairs.get('v'))
  if (!Number.isInteger(version) || version < 1) return undefined
  const fp = normalizeFingerprint(pairs.get('fp') ?? '')
  const tls = pairs.get('tls') === '1'
  return {
    protocolVersion: version,
    displayName: [...(pairs.get('name') ?? '')].slice(0, 63).join('').trim() || 'BucketShare',
    codeRequired: pairs.get('code') === '1',
    fingerprint: tls && /^[0-9a-f]{64}$/.test(fp) ? fp : null,
  }
}

/**
 * The records of one host as seen on one network (`address`: its address there); a goodbye
 * (RFC 6762 §10.1) sends them with a TTL of zero.
 */
export function recordsOf(
  a: Announcement,
  plainId: string,
  address: string,
  goodbye = false,
): Answer[] {
  const instance = instanceName(a, plainId)
  const target = targetName(a, plainId)
  const scale = (t: number): number => (goodbye ? 0 : t)
  return [
    { type: 'PTR', name: SERVICE_TYPE, ttl: scale(OTHER_TTL), data: instance },
    {
      type: 'SRV',
      name: instance,
      ttl: scale(HOST_TTL),
      flush: true,
      data: { port: a.port, target, priority: 0, weight: 0 },
    },
    { type: 'TXT', name: instance, ttl: scale(OTHER_TTL), flush: true, data: txtOf(a) },
    { type: 'A', name: target, ttl: scale(HOST_TTL), flush: true, data: address },
  ]
}
