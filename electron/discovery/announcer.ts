import { randomBytes } from 'node:crypto'
import type { Answer, Packet, Question } from 'dns-packet'
import { MdnsLinks, type Link } from './links.js'
import {
  instanceName,
  recordsOf,
  SERVICE_ENUMERATION,
  SERVICE_TYPE,
  targetName,
  type Announcement,
} from './records.js'

/** RFC 6762 §8.3: at least two announcements, one second apart. */
const ANNOUNCE_GAP_MS = 1_000

/**
 * Announces one host on every network this computer is on, each network hearing its own
 * address, and answers the questions browsers ask. A new network or address is announced as it
 * appears; stop() says goodbye so browsers drop the host at once.
 */
export class Announcer {
  private readonly plainId = randomBytes(6).toString('hex')
  private readonly timers = new Set<NodeJS.Timeout>()
  private stopped = false

  constructor(
    private readonly announcement: Announcement,
    private readonly links = new MdnsLinks(),
  ) {
    links.on('up', (link) => this.announce(link))
    links.on('query', (packet, _rinfo, link) => this.answer(packet, link))
  }

  start(): void {
    this.links.start()
  }

  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.timers.forEach(clearTimeout)
    await Promise.all(
      this.links
        .links()
        .map((link) => this.links.send('response', { answers: this.records(link, true) }, link)),
    )
    await this.links.stop()
  }

  private records(link: Link, goodbye = false): Answer[] {
    return recordsOf(this.announcement, this.plainId, link.address, goodbye)
  }

  private announce(link: Link): void {
    const send = (): void => {
      if (!this.stopped) void this.links.send('response', { answers: this.records(link) }, link)
    }
    send()
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      send()
    }, ANNOUNCE_GAP_MS)
    this.timers.add(timer)
  }

  /** Answers on the network the question came from, with our address there. */
  private answer(packet: Packet, link: Link): void {
    if (this.stopped) return
    const [ptr, srv, txt, a] = this.records(link)
    const instance = instanceName(this.announcement, this.plainId).toLowerCase()
    const target = targetName(this.announcement, this.plainId).toLowerCase()
    const answers: Answer[] = []
    // dns-packet reads type 255 as 'ANY', which its types leave out.
    const asks = (q: Question, type: string): boolean =>
      q.type === type || (q.type as string) === 'ANY'
    for (const q of packet.questions ?? []) {
      const name = q.name.toLowerCase()
      if (name === SERVICE_TYPE.toLowerCase() && asks(q, 'PTR')) answers.push(ptr!)
      else if (name === SERVICE_ENUMERATION.toLowerCase() && asks(q, 'PTR'))
        answers.push({ type: 'PTR', name: SERVICE_ENUMERATION, ttl: 4500, data: SERVICE_TYPE })
      else if (name === instance && (asks(q, 'SRV') || asks(q, 'TXT'))) answers.push(srv!, txt!)
      else if (name === target && asks(q, 'A')) answers.push(a!)
    }
    if (answers.length === 0) return
    // What a browser needs next comes along (RFC 6763 §12), so one packet is enough.
    const additionals = [srv!, txt!, a!].filter((r) => !answers.includes(r))
    void this.links.send('response', { answers, additionals }, link)
  }
}
