import os from 'node:os'
import Conf from 'conf'
import type { Peer, Settings } from '../../shared/ipc.js'

const DEFAULTS: Settings = {
  lastFolder: null,
  lastPort: 4567,
  exposure: 'loopback',
  recentPeers: [],
  encrypted: true,
  requireCode: true,
  accessCode: null,
  readOnly: false,
  displayName: os.hostname(),
}

/** Peers remembered, most recent first. */
const MAX_PEERS = 8

/** What the app remembers between launches, kept as JSON in the app's data folder by `conf`. */
export class SettingsStore {
  private readonly conf: Conf<Settings>

  /** `dir`: where the settings file lives (the app's data folder; a temporary one in tests). */
  constructor(dir?: string) {
    this.conf = new Conf<Settings>({
      projectName: 'bucketshare',
      projectSuffix: '',
      ...(dir ? { cwd: dir } : {}),
      defaults: DEFAULTS,
      // A settings file edited by hand into nonsense must not stop the app from starting.
      clearInvalidConfig: true,
    })
  }

  get(): Settings {
    return { ...DEFAULTS, ...this.conf.store }
  }

  rememberHost(
    host: Pick<
      Settings,
      | 'lastFolder'
      | 'lastPort'
      | 'exposure'
      | 'encrypted'
      | 'requireCode'
      | 'accessCode'
      | 'readOnly'
      | 'displayName'
    >,
  ): void {
    this.conf.set({ ...this.get(), ...host })
  }

  /** Remembers a peer; one known by its certificate replaces its entry at an old address. */
  rememberPeer(peer: Peer): void {
    const others = this.get().recentPeers.filter(
      (p) =>
        (p.host !== peer.host || p.port !== peer.port) &&
        (!peer.fingerprint || p.fingerprint !== peer.fingerprint),
    )
    this.conf.set('recentPeers', [peer, ...others].slice(0, MAX_PEERS))
  }
}
