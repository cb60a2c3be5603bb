import { EventEmitter } from 'node:events'
import type { RemoteInfo } from 'node:dgram'
import type { Answer, Packet } from 'dns-packet'
import { MdnsLinks, onLink, type Link } from './links.js'
import { parseTxt, SERVICE_TYPE, type Heard } from './records.js'

/** A host heard on the network. */
export interface Found extends Heard {
  /** Its address on the network it was heard on. */
  address: string
  /** The interface it was heard on. */
  via: string
  /** When it last answered. */
  seen: number
  /** It answered from one of this computer's own addresses. */
  fromHere: boolean
}

/** What was tried, for the explanation shown when nothing is found. */
export interface Searched {
  networks: ReturnType<MdnsLinks['links']>
  queries: number
  /** mDNS answers heard from other computers (any service): multicast reaches us. */
  othersHeard: number
  /** Our own packets came back: this computer's multicast works. */
  ownHeard: boolean
}

/** Queries at start (a lost packet is retried soon), then every PERIOD_MS. */
const FIRST_QUERIES_MS = [0, 1_000, 2_000]
export const PERIOD_MS = 5_000
/** A host that answered none of this many queries in a row is gone (RFC 6762 §10.5). */
const MISSED_LIMIT = 3

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase()

/** Finds BucketShare hosts on every network, live: 'change' gives the whole list each time. */
export class Browser extends EventEmitter<{ change: [Found[]] }> {
  private readonly found = new Map<string, Found & { missed: number }>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private queries = 0
  private othersHeard = 0
  private ownHeard = false

  constructor(private readonly links = new MdnsLinks()) {
    super()
    links.on('up', (link) => void this.ask(link))
    links.on('down', (link) => this.forget((f) => f.via === link.name))
    links.on('response', (packet, rinfo, link) => this.heard(packet, rinfo, link))
  }

  start(): void {
    this.links.start()
    for (const delay of FIRST_QUERIES_MS.slice(1)) this.later(delay, () => this.round(false))
    const period = setInterval(() => this.round(true), PERIOD_MS)
    period.unref()
    this.timers.add(period)
  }

  hosts(): Found[] {
    return [...this.found.values()].map(({ missed: _, ...f }) => f)
  }

  searched(): Searched {
    return {
      networks: this.links.links(),
      queries: this.queries,
      othersHeard: this.othersHeard,
      ownHeard: this.ownHeard,
    }
  }

  async stop(): Promise<void> {
    this.timers.forEach((t) => clearTimeout(t))
    this.timers.clear()
    await this.links.stop()
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      run()
    }, ms)
    this.timers.add(timer)
  }

  /** One query on every network; hosts silent for MISSED_LIMIT periodic rounds are dropped. */
  private round(counts: boolean): void {
    if (counts) {
      for (const f of this.found.values()) f.missed++
      this.forget((f) => f.missed > MISSED_LIMIT)
    }
    void this.ask()
  }

  private ask(link?: Link): Promise<void> {
    this.queries++
    return this.links.send('query', { questions: [{ name: SERVICE_TYPE, type: 'PTR' }] }, link)
  }

  private heard(packet: Packet, rinfo: RemoteInfo, link: Link): void {
    const own = this.links.links().some((l) => l.address === rinfo.address)
    if (own) this.ownHeard = true
    else this.othersHeard++
    const records = [...(packet.answers ?? []), ...(packet.additionals ?? [])]
    let changed = false
    for (const ptr of records) {
      if (ptr.type !== 'PTR' || !same(ptr.name, SERVICE_TYPE)) continue
      const instance = ptr.data
      if (ptr.ttl === 0) {
        changed = this.found.delete(instance) || changed
        continue
      }
      const host = this.read(instance, records, rinfo, link)
      if (!host) continue
      const before = this.found.get(instance)
      this.found.set(instance, { ...host, missed: 0 })
      changed ||=
        !before ||
        JSON.stringify({ ...before, seen: 0, missed: 0 }) !==
          JSON.stringify({ ...host, seen: 0, missed: 0 })
    }
    if (changed) this.emit('change', this.hosts())
  }

  /** The host named `instance` from the records of one packet, when they are all there. */
  private read(
    instance: string,
    records: Answer[],
    rinfo: RemoteInfo,
    link: Link,
  ): Found | undefined {
    const srv = records.find((r) => r.type === 'SRV' && same(r.name, instance))
    const txt = records.find((r) => r.type === 'TXT' && same(r.name, instance))
    if (srv?.type !== 'SRV' || txt?.type !== 'TXT' || srv.ttl === 0) return undefined
    const about = parseTxt(txt.data)
    if (!about) return undefined
    const addresses = records.flatMap((r) =>
      r.type === 'A' && same(r.name, srv.data.target) ? [r.data] : [],
    )
    // The sender's own address answers on this network for sure; else one of its own on it.
    const address = addresses.includes(rinfo.address)
      ? rinfo.address
      : (addresses.find((a) => onLink(link, a)) ?? rinfo.address)
    return {
      ...about,
      instance,
      port: srv.data.port,
      address,
      via: link.name,
      seen: Date.now(),
      fromHere: this.links.links().some((l) => l.address === rinfo.address),
    }
  }

  private forget(gone: (f: Found & { missed: number }) => boolean): void {
    let changed = false
    for (const [key, f] of this.found) if (gone(f)) changed = this.found.delete(key) || changed
    if (changed) this.emit('change', this.hosts())
  }
}
