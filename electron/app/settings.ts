import os from 'node:os'
import Conf from 'conf'
import type { Peer, SavedGrant, Settings } from '../../shared/ipc.js'

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
  lastS3: null,
  storage: 'folder',
  grants: [],
  grantSalt: null,
}

/** The settings, and what is kept beside them but never shown. */
type Stored = Settings & { sealedS3Keys: string | null }

/** Peers remembered, most recent first. */
const MAX_PEERS = 8

/** What the app remembers between launches, kept as JSON in the app's data folder by `conf`. */
export class SettingsStore {
  private readonly conf: Conf<Stored>

  /** `dir`: where the settings file lives (the app's data folder; a temporary one in tests). */
  constructor(dir?: string) {
    this.conf = new Conf<Stored>({
      projectName: 'bucketshare',
      projectSuffix: '',
      ...(dir ? { cwd: dir } : {}),
      defaults: { ...DEFAULTS, sealedS3Keys: null },
      // A settings file edited by hand into nonsense must not stop the app from starting.
      clearInvalidConfig: true,
    })
  }

  get(): Settings {
    const { sealedS3Keys, ...settings } = { ...DEFAULTS, ...this.conf.store }
    return settings
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
      | 'lastS3'
      | 'storage'
    >,
  ): void {
    this.conf.set({ ...this.get(), ...host, sealedS3Keys: this.sealedS3Keys })
  }

  /** An object store's keys, sealed (see secrets.ts); never sent to the renderer. */
  get sealedS3Keys(): string | null {
    return this.conf.get('sealedS3Keys') ?? null
  }

  set sealedS3Keys(sealed: string | null) {
    this.conf.set('sealedS3Keys', sealed)
  }

  /** Keeps the Host panel's grants, hashed with `salt`. */
  rememberGrants(grants: SavedGrant[], salt: string): void {
    this.conf.set('grants', grants)
    this.conf.set('grantSalt', salt)
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
