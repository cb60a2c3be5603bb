import os from 'node:os'
import Conf from 'conf'
import { DEFAULT_PORT } from '../../shared/address.js'
import type { Peer, SavedGrant, Settings } from '../../shared/ipc.js'
import { withRecentPeer } from '../../shared/peers.js'
import { defaultDataDir } from '../data-dir.js'

/** The host's access code as the settings keep it: never in clear. */
export interface KeptCode {
  /** scrypt of the code with the settings' `grantSalt` (as the grants' codes). */
  hash: string
  /** The code sealed by the system's secret storage (the desktop app), so it can be shown again. */
  sealed: string | null
}

/** What the settings file holds: the settings, and what is kept beside them but never shown. */
interface Stored extends Omit<Settings, 'accessCodeKept'> {
  sealedS3Keys: string | null
  accessCode: KeptCode | null
}

const DEFAULTS: Stored = {
  lastFolder: null,
  lastPort: DEFAULT_PORT,
  exposure: 'loopback',
  recentPeers: [],
  encrypted: true,
  requireCode: null,
  accessCode: null,
  readOnly: false,
  displayName: os.hostname(),
  lastS3: null,
  storage: 'folder',
  grants: [],
  grantSalt: null,
  sealedS3Keys: null,
}

/** What the app remembers between launches, kept as JSON in the app's data folder by `conf`. */
export class SettingsStore {
  private readonly conf: Conf<Stored>

  /** `dir`: where the settings file lives (the app's data folder; a temporary one in tests). */
  constructor(dir: string = defaultDataDir()) {
    this.conf = new Conf<Stored>({
      cwd: dir,
      defaults: DEFAULTS,
      // A settings file edited by hand into nonsense must not stop the app from starting.
      clearInvalidConfig: true,
    })
  }

  get(): Settings {
    const { sealedS3Keys: _keys, accessCode, ...settings } = { ...DEFAULTS, ...this.conf.store }
    return { ...settings, accessCodeKept: isKept(accessCode) }
  }

  rememberHost(
    host: Pick<
      Settings,
      | 'lastFolder'
      | 'lastPort'
      | 'exposure'
      | 'encrypted'
      | 'requireCode'
      | 'readOnly'
      | 'displayName'
      | 'lastS3'
      | 'storage'
    >,
  ): void {
    this.conf.set({ ...DEFAULTS, ...this.conf.store, ...host })
  }

  /** The host's access code, hashed (and sealed where the app can seal); never sent to the page. */
  get accessCode(): KeptCode | null {
    const kept = this.conf.get('accessCode')
    return isKept(kept) ? kept : null
  }

  set accessCode(kept: KeptCode | null) {
    this.conf.set('accessCode', kept)
  }

  /**
   * A code kept in clear by an older version of the app, removed from the file as it is read (the
   * caller keeps it hashed instead).
   */
  takeClearAccessCode(): string | null {
    const kept: unknown = this.conf.get('accessCode')
    if (typeof kept !== 'string') return null
    this.conf.set('accessCode', null)
    return kept
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
    this.conf.set('recentPeers', withRecentPeer(this.get().recentPeers, peer))
  }
}

function isKept(kept: unknown): kept is KeptCode {
  return typeof kept === 'object' && kept !== null && typeof (kept as KeptCode).hash === 'string'
}
