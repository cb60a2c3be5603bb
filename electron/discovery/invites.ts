import { formatInvite } from '../../shared/invite.js'
import { currentLinks } from './links.js'

/** Whether a listening address keeps the server on this computer (nothing to announce). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}

/**
 * The invite of a TLS host listening on `host`: a wildcard host is invited to at the address of
 * its first network (the one a person nearby most likely shares), loopback when it has none.
 */
export function hostInvite(options: {
  host: string
  port: number
  fingerprint: string
  accessCode?: string | null
}): string {
  const wildcard = options.host === '0.0.0.0' || options.host === '::'
  return formatInvite({
    host: wildcard ? (currentLinks()[0]?.address ?? '127.0.0.1') : options.host,
    port: options.port,
    fingerprint: options.fingerprint,
    ...(options.accessCode ? { accessCode: options.accessCode } : {}),
  })
}
