import { formatInvite } from '../../shared/invite.js'
import { currentLinks, type Link } from './links.js'

/** Interfaces of containers, virtual machines and VPNs: a person nearby is rarely on them. */
const VIRTUAL =
  /^(docker|br-|veth|virbr|vmnet|vboxnet|vethernet|tun|tap|utun|wg|zt|tailscale|lxc|lxd|cni|flannel)/i

/** Whether a listening address keeps the server on this computer (nothing to announce). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}

/**
 * The invite of a TLS host listening on `host`: a wildcard host is invited to at the address of
 * its first real network (the one a person nearby most likely shares, not a container bridge or a
 * VPN), loopback when it has none.
 */
export function hostInvite(
  options: { host: string; port: number; fingerprint: string; accessCode?: string | null },
  links: Link[] = currentLinks(),
): string {
  const wildcard = options.host === '0.0.0.0' || options.host === '::'
  const lan = [...links].sort((a, b) => Number(VIRTUAL.test(a.name)) - Number(VIRTUAL.test(b.name)))
  return formatInvite({
    host: wildcard ? (lan[0]?.address ?? '127.0.0.1') : options.host,
    port: options.port,
    fingerprint: options.fingerprint,
    ...(options.accessCode ? { accessCode: options.accessCode } : {}),
  })
}
