import type { DiscoveryState, NearbyHost } from '../../shared/ipc.js'
import { IDLE_DISCOVERY } from '../../shared/ipc.js'
import type { KnownHosts } from '../client/index.js'
import { Browser, discoveryOff, type Found } from '../discovery/index.js'
import type { Emit } from './events.js'

/** How often what was tried is published while searching (for the "nothing found" help). */
const PUBLISH_MS = 2_000

/** The search for hosts nearby, run while the Connect panel wants it. */
export class DiscoveryService {
  private browser: Browser | undefined
  private startedAt: number | null = null
  private timer: NodeJS.Timeout | undefined
  private last = ''

  constructor(
    private readonly emit: Emit,
    private readonly knownHosts: KnownHosts,
    /** The port this computer hosts on, if it does, to mark its own host in the list. */
    private readonly ownPort: () => number | null,
  ) {}

  start(): DiscoveryState {
    if (this.browser) return this.state()
    const browser = new Browser()
    this.browser = browser
    this.startedAt = Date.now()
    browser.on('change', () => this.publish())
    browser.start()
    this.timer = setInterval(() => this.publish(), PUBLISH_MS)
    this.timer.unref()
    return this.publish()
  }

  async stop(): Promise<DiscoveryState> {
    const browser = this.browser
    this.browser = undefined
    this.startedAt = null
    clearInterval(this.timer)
    await browser?.stop()
    return this.publish()
  }

  state(): DiscoveryState {
    const browser = this.browser
    const off = discoveryOff()
    if (!browser) return { ...IDLE_DISCOVERY, ...(off ? { disabled: off } : {}) }
    const searched = browser.searched()
    return {
      running: true,
      startedAt: this.startedAt,
      hosts: browser.hosts().map((f) => this.nearby(f)),
      networks: searched.networks.map((n) => ({
        name: n.name,
        address: n.address,
        ...(n.error ? { error: n.error } : {}),
      })),
      queries: searched.queries,
      othersHeard: searched.othersHeard,
      ownHeard: searched.ownHeard,
      ...(off ? { disabled: off } : {}),
    }
  }

  private nearby(f: Found): NearbyHost {
    return {
      id: f.instance,
      name: f.displayName,
      address: f.address,
      port: f.port,
      fingerprint: f.fingerprint,
      codeRequired: f.codeRequired,
      protocolVersion: f.protocolVersion,
      via: f.via,
      knownAt: f.fingerprint ? (this.knownHosts.whereSeen(f.fingerprint) ?? null) : null,
      mine: f.fromHere && f.port === this.ownPort(),
    }
  }

  /** Sends the state when it changed (the periodic call carries new counts only then). */
  private publish(): DiscoveryState {
    const state = this.state()
    const text = JSON.stringify(state)
    if (text !== this.last) {
      this.last = text
      this.emit('discovery:state', state)
    }
    return state
  }
}
