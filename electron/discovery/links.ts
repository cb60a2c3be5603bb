/**
 * The mDNS sockets, one per network interface.
 *
 * Library choice (Node 20, November 2026), and why this file exists:
 * - @homebridge/ciao is the most careful advertiser (one socket per interface, RFC 6762 probing,
 *   follows interface changes), but it only advertises: it cannot browse, so the Connect panel
 *   would need a second mDNS stack beside it.
 * - bonjour-service (maintained, TypeScript) advertises and browses, over multicast-dns. It uses
 *   one socket that sends on the default multicast interface only, answers with the addresses of
 *   every interface whatever the network asked, and its browser ignores a changed address. That
 *   is the wrong-interface failure people report of other sharing tools.
 * - multicast-dns (the packet layer under bonjour-service; small, stable, used everywhere) lets us
 *   open one socket per IPv4 interface (`interface` sets both the membership and the sending
 *   interface). On top of it BucketShare keeps a small responder (announcer.ts) and browser
 *   (browser.ts): each network hears only its own address, and a changed address is announced.
 * So: multicast-dns, one socket per interface, re-read every POLL_MS.
 */
import { EventEmitter } from 'node:events'
import type { RemoteInfo } from 'node:dgram'
import os from 'node:os'
import makeMdns from 'multicast-dns'
import type { Packet } from 'dns-packet'

/** One IPv4 network this computer is on. */
export interface Link {
  /** The interface's name, e.g. "eth0", "Wi-Fi". */
  name: string
  address: string
  netmask: string
}

/** How often the interfaces are read again: a new address is announced within this time. */
export const POLL_MS = 2_000

/**
 * Why mDNS is not used at all, if it is not: BUCKETSHARE_DISCOVERY=off turns it off (for people
 * who want no multicast, and for tests that must send nothing beyond loopback).
 */
export function discoveryOff(): string | undefined {
  return process.env['BUCKETSHARE_DISCOVERY'] === 'off'
    ? 'discovery is turned off (BUCKETSHARE_DISCOVERY=off)'
    : undefined
}

/** Every IPv4 interface that leaves this computer, with its first address (none when off). */
export function currentLinks(): Link[] {
  if (discoveryOff()) return []
  return Object.entries(os.networkInterfaces()).flatMap(([name, addresses]) => {
    const first = (addresses ?? []).find((a) => a.family === 'IPv4' && !a.internal)
    return first ? [{ name, address: first.address, netmask: first.netmask }] : []
  })
}

function toNumber(ip: string): number {
  return ip.split('.').reduce((n, part) => ((n << 8) | Number(part)) >>> 0, 0)
}

/** Whether `address` is on `link`'s network. */
export function onLink(link: Link, address: string): boolean {
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(address)) return false
  const mask = toNumber(link.netmask)
  return ((toNumber(address) ^ toNumber(link.address)) & mask) === 0
}

function keyOf(link: Link): string {
  return `${link.name}/${link.address}/${link.netmask}`
}

interface LinkEvents {
  /** A packet heard on `link` (its sender is on that network, ourselves included). */
  query: [Packet, RemoteInfo, Link]
  response: [Packet, RemoteInfo, Link]
  /** A network appeared (or an interface got a new address); its socket can send. */
  up: [Link]
  down: [Link]
}

interface Socket {
  link: Link
  mdns: makeMdns.MulticastDNS
  /** The last failure of this socket, for the "what was tried" explanation. */
  error?: string
}

/** Sockets on every network, kept in step with the interfaces. */
export class MdnsLinks extends EventEmitter<LinkEvents> {
  private readonly sockets = new Map<string, Socket>()
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly read: () => Link[] = currentLinks) {
    super()
  }

  start(): void {
    if (this.timer) return
    this.refresh()
    this.timer = setInterval(() => this.refresh(), POLL_MS)
    this.timer.unref()
  }

  /** The networks in use and what went wrong on each, if anything. */
  links(): (Link & { error?: string })[] {
    return [...this.sockets.values()].map((s) => ({
      ...s.link,
      ...(s.error ? { error: s.error } : {}),
    }))
  }

  /** Sends on one network, or on all. Failures are kept for links() and never thrown. */
  send(kind: 'query' | 'response', packet: Packet, only?: Link): Promise<void> {
    const targets = [...this.sockets.values()].filter((s) => !only || keyOf(s.link) === keyOf(only))
    return Promise.all(
      targets.map(
        (s) =>
          new Promise<void>((resolve) => {
            const sent = (err: Error | null): void => {
              if (err) s.error = err.message
              resolve()
            }
            if (kind === 'query') s.mdns.query(packet as makeMdns.QueryOutgoingPacket, sent)
            else s.mdns.respond(packet as makeMdns.ResponseOutgoingPacket, sent)
          }),
      ),
    ).then(() => undefined)
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    const sockets = [...this.sockets.values()]
    this.sockets.clear()
    await Promise.all(sockets.map((s) => new Promise<void>((r) => s.mdns.destroy(() => r()))))
  }

  private refresh(): void {
    const now = new Map(this.read().map((link) => [keyOf(link), link]))
    for (const [key, socket] of this.sockets) {
      if (now.has(key)) continue
      this.sockets.delete(key)
      socket.mdns.destroy()
      this.emit('down', socket.link)
    }
    for (const [key, link] of now) if (!this.sockets.has(key)) this.open(key, link)
  }

  private open(key: string, link: Link): void {
    // Bound to the wildcard so multicast reaches it on every system; `interface` picks the one
    // network it joins and sends on.
    const mdns = makeMdns({ interface: link.address, bind: '0.0.0.0', reuseAddr: true })
    const socket: Socket = { link, mdns }
    this.sockets.set(key, socket)
    const failed = (err: Error): void => {
      socket.error = err.message
    }
    mdns.on('error', failed)
    mdns.on('warning', failed)
    // A wildcard socket hears every network; a packet belongs to the link its sender is on.
    mdns.on('query', (packet, rinfo) => {
      if (onLink(link, rinfo.address)) this.emit('query', packet, rinfo, link)
    })
    mdns.on('response', (packet, rinfo) => {
      if (onLink(link, rinfo.address)) this.emit('response', packet, rinfo, link)
    })
    mdns.on('ready', () => {
      if (this.sockets.get(key) === socket) this.emit('up', link)
    })
  }
}
