import os from 'node:os'
import type { FolderPurpose } from '../../shared/ipc.js'
import { KnownHosts } from '../client/index.js'
import { defaultDataDir } from '../data-dir.js'
import type { KeepAwake } from './awake.js'
import { BrowserBytes } from './browser-bytes.js'
import { ConnectionService } from './connection.js'
import { ConsoleService } from './console.js'
import { DiscoveryService } from './discovery.js'
import type { Emit } from './events.js'
import { History } from './history.js'
import { HostService } from './host.js'
import type { Secrets } from './secrets.js'
import { SettingsStore } from './settings.js'
import { Transcript } from './transcript.js'
import { TransfersService } from './transfers.js'

export interface ServicesOptions {
  version: string
  /** Where settings are kept; the user's config folder when omitted. */
  settingsDir?: string
  /** A native folder picker, when the transport has one (Electron). */
  chooseFolder?: (purpose: FolderPurpose) => Promise<string | null>
  /** Where relative paths typed in the Console tab start; the home folder when omitted. */
  cwd?: string
  /** Seals an object store's keys (Electron's safeStorage); without it keys come from the environment. */
  secrets?: Secrets
  /** Browser mode: transfer bytes travel over the page's HTTP requests. */
  browserBytes?: boolean
  /** Keeps the computer awake while transfers run (Electron's powerSaveBlocker). */
  awake?: KeepAwake
}

/** Every service of the app, wired once. */
export interface Services {
  version: string
  chooseFolder?: (purpose: FolderPurpose) => Promise<string | null>
  settings: SettingsStore
  host: HostService
  connection: ConnectionService
  console: ConsoleService
  transfers: TransfersService
  discovery: DiscoveryService
  /** The session so far, for a page that reloads. */
  history: History
  /** In browser mode only. */
  browserBytes?: BrowserBytes
}

export function createServices(options: ServicesOptions, published: Emit): Services {
  const history = new History()
  const emit = history.recording(published)
  const dataDir = options.settingsDir ?? defaultDataDir()
  const settings = new SettingsStore(dataDir)
  const knownHosts = new KnownHosts(dataDir)
  const transcript = new Transcript(emit)
  const connection = new ConnectionService(emit, settings, knownHosts, transcript)
  const transfers = new TransfersService(emit, connection, {
    dir: dataDir,
    ...(options.awake ? { awake: options.awake } : {}),
  })
  const host = new HostService(emit, settings, dataDir, options.secrets)
  return {
    version: options.version,
    ...(options.chooseFolder ? { chooseFolder: options.chooseFolder } : {}),
    settings,
    host,
    connection,
    console: new ConsoleService(connection, transcript, transfers, options.cwd ?? os.homedir()),
    transfers,
    discovery: new DiscoveryService(emit, knownHosts, () => host.port),
    history,
    ...(options.browserBytes ? { browserBytes: new BrowserBytes(emit) } : {}),
  }
}
