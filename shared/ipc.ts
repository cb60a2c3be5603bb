import { z } from 'zod'
import { MAX_PORT, MIN_PORT } from './address.js'
import type { ConnectedClient, LogLine } from './hosting.js'
import {
  MAX_CODE_CHARS,
  MIN_CODE_CHARS,
  ROLE_NAMES,
  type BucketEntry,
  type Grant,
  type ListEntry,
  type Role,
  type Status,
  type TrashEntry,
} from './protocol/index.js'

/**
 * The one contract between the renderer and the Node side. Every request names its argument schema
 * (validated on the Node side: the renderer is untrusted) and its result type; every event names its
 * payload. The Electron preload and the browser-mode WebSocket bridge both expose exactly this.
 * Channels are named `namespace:verb`.
 */

export type { ConnectedClient, LogLine } from './hosting.js'

const port = z.number().int().min(MIN_PORT).max(MAX_PORT)
const text = (max: number) => z.string().min(1).max(max)
const name = text(1024)
const localPath = text(4096)
/** A file of the page (browser mode): its name or path, and its size. */
const pageFile = z.strictObject({
  name,
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
})
/** Files and folders of one tree the page may send. */
export const MAX_TREE_ENTRIES = 100_000

export const Exposure = z.enum(['loopback', 'network'])

/** A grant as the Host panel edits it: a further access code with its role and buckets. */
export const GrantEdit = z.strictObject({
  /** Absent for a new grant. */
  id: z
    .string()
    .regex(/^[0-9a-f]{16}$/)
    .optional(),
  label: text(64),
  role: z.enum(ROLE_NAMES as [Role, ...Role[]]),
  buckets: z.union([z.literal('all'), z.array(text(255)).min(1).max(1000)]),
  /** A code chosen by the host; a new grant without one gets a generated code. */
  code: z.string().min(MIN_CODE_CHARS).max(MAX_CODE_CHARS).optional(),
})
export type GrantEdit = z.input<typeof GrantEdit>

/** A grant as the Host panel shows it. */
export interface GrantView extends Grant {
  id: string
  /** The code in clear while this run of the app knows it (made or typed since it started). */
  code: string | null
}

/** An entry of the host's trash. */
export interface TrashView extends TrashEntry {
  id: string
}
export type Exposure = z.infer<typeof Exposure>

/** What a folder is chosen for: the host's shared folder, a folder to upload, where to download. */
export type FolderPurpose = 'share' | 'upload' | 'download'

/** An S3-compatible object store to host instead of a folder (docs/storage.md). */
export const S3Host = z.strictObject({
  /** Absent: AWS itself. */
  endpoint: z
    .string()
    .max(2048)
    .regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'the endpoint is an http:// or https:// address')
    .optional(),
  /** S3's own bucket-name rules. */
  bucket: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name is 3 to 63 of a-z 0-9 . -'),
  prefix: z.string().max(1024).default(''),
  region: z.string().min(1).max(64).optional(),
  pathStyle: z.boolean().default(false),
  /**
   * Keys typed in the app, kept sealed by the system's secret storage (the desktop app only);
   * absent: the environment's (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE), or the
   * ones kept from the last start.
   */
  accessKeyId: z.string().min(1).max(256).optional(),
  secretAccessKey: z.string().min(1).max(256).optional(),
})
export type S3Host = z.input<typeof S3Host>

export const HostOptions = z.strictObject({
  /** The folder to share; ignored when `s3` is given. */
  root: localPath,
  /** Share an object store instead of the folder. */
  s3: S3Host.optional(),
  port,
  exposure: Exposure,
  /** TLS with the app's own certificate; plain TCP otherwise (for `nc` on this computer). */
  encrypted: z.boolean().default(true),
  /**
   * Clients must give the access code (by default only when listening on the network); when
   * `accessCode` is absent the last one, or a new one, is used.
   */
  requireCode: z.boolean().optional(),
  accessCode: z.string().min(4).max(128).optional(),
  /** Clients may list and download only. */
  readOnly: z.boolean().default(false),
  /** How people nearby see this host (announced when on the network); the last one when absent. */
  displayName: z.string().trim().min(1).max(63).optional(),
})
export type HostOptions = z.input<typeof HostOptions>

const fingerprint = z.string().regex(/^[0-9a-f]{64}$/)

export const Peer = z.strictObject({
  host: text(255),
  port,
  /** Its certificate, once connected over TLS: a peer is known by it wherever it moves. */
  fingerprint: fingerprint.optional(),
  /** How it calls itself, when it was found nearby. */
  name: z.string().max(63).optional(),
})
export type Peer = z.infer<typeof Peer>

export const ConnectRequest = z.strictObject({
  host: text(255),
  port,
  encrypted: z.boolean().default(true),
  accessCode: z.string().min(1).max(128).optional(),
  /** Accept this certificate although another one was pinned for the peer (the person confirmed). */
  trustFingerprint: fingerprint.optional(),
  /** How the peer calls itself, when it was found nearby: remembered with it. */
  name: z.string().max(63).optional(),
})
export type ConnectRequest = z.input<typeof ConnectRequest>

export interface HostStatus {
  running: boolean
  root: string | null
  port: number | null
  exposure: Exposure
  encrypted: boolean
  /** SHA-256 of the host's certificate, when encrypted: peers compare it on first connect. */
  fingerprint: string | null
  /** The host asks for its own access code (besides any grants' codes). */
  codeRequired: boolean
  /**
   * The host's access code while this run of the app knows it (typed, made or unsealed since it
   * started); null when anyone may connect, or when only its hash is kept.
   */
  accessCode: string | null
  readOnly: boolean
  /** What a peer can type to reach this host: "192.168.1.20:4567", loopback first when local only. */
  addresses: string[]
  clients: ConnectedClient[]
  /** How people nearby see this host. */
  displayName: string
  /** Announced on the network (mDNS) right now. */
  announced: boolean
  /** The invite link (bucketshare://…), while hosting over TLS. */
  invite: string | null
  /** Further access codes, each with its role and buckets (kept hashed in the settings). */
  grants: GrantView[]
  /** What deleted and replaced files the host keeps, newest first (while it runs). */
  trash: TrashView[]
  error?: string
}

/** The status of a host that is not running (before the first start). */
export const STOPPED_HOST: HostStatus = {
  running: false,
  root: null,
  port: null,
  exposure: 'loopback',
  encrypted: true,
  fingerprint: null,
  codeRequired: false,
  accessCode: null,
  readOnly: false,
  addresses: [],
  clients: [],
  displayName: '',
  announced: false,
  invite: null,
  grants: [],
  trash: [],
}

/** A BucketShare host heard on the network. */
export interface NearbyHost {
  /** Its DNS-SD instance name: one host on one port. */
  id: string
  name: string
  /** Its address on the network it was heard on. */
  address: string
  port: number
  /** Its certificate's SHA-256 as announced (unproven until connecting); null for plain TCP. */
  fingerprint: string | null
  codeRequired: boolean
  protocolVersion: number
  /** The interface it was heard on. */
  via: string
  /** Where this computer connected to the same certificate before ("host:port"), if it did. */
  knownAt: string | null
  /** This computer's own host. */
  mine: boolean
}

/** The search for hosts nearby, and what it tried (said when nothing is found). */
export interface DiscoveryState {
  running: boolean
  /** When the search started (ms since the epoch), null when not running. */
  startedAt: number | null
  hosts: NearbyHost[]
  /** The networks searched, each with its address and any failure. */
  networks: { name: string; address: string; error?: string }[]
  queries: number
  /** mDNS answers heard from other computers (any service). */
  othersHeard: number
  /** Our own announcements came back (multicast works on this computer). */
  ownHeard: boolean
  /** Why discovery does not run at all, when it does not (e.g. turned off). */
  disabled?: string
}

export const IDLE_DISCOVERY: DiscoveryState = {
  running: false,
  startedAt: null,
  hosts: [],
  networks: [],
  queries: 0,
  othersHeard: 0,
  ownHeard: false,
}

export type ConnectionState =
  | {
      status: 'disconnected'
      error?: string
      /** The peer presented another certificate than the pinned one: the person must decide. */
      certificateChanged?: { host: string; port: number; expected: string; actual: string }
    }
  | { status: 'connecting'; host: string; port: number }
  | {
      status: 'connected'
      host: string
      port: number
      /** The peer's certificate, when encrypted. */
      fingerprint: string | null
      /** True when this is the first connection to this peer: its fingerprint was just pinned. */
      firstContact: boolean
      /** The host wants an access code that was not given yet: nothing can be listed before it. */
      needsCode: boolean
    }

/** One command sent on the connection and what came back; GUI actions produce these too. */
export interface ConsoleEntry {
  id: number
  /** Typed in the Console tab, sent for a person's action in the GUI, or the app's own listing. */
  source: 'console' | 'gui' | 'auto'
  /** The line as the person typed it (console) or the exact command the GUI sent. */
  command: string
  /** Data lines of the response, without the "-> " prefix. */
  lines: string[]
  /** Null when the command never got an answer (transport failure, refused locally). */
  status: Status | null
  /** Why there is no status, or a local failure (e.g. a file that cannot be read). */
  error?: string
  time: number
}

/**
 * `queued`: waiting to (re)start: for its peer's connection, or for a retry after the connection
 * was lost (`retryAt`). `paused` by the person. `done`, `cancelled` are final; `failed` may be retried.
 */
export type TransferState = 'queued' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled'

export interface TransferInfo {
  id: string
  direction: 'upload' | 'download'
  bucket: string
  name: string
  bytes: number
  total: number
  /** Bytes per second, smoothed. */
  rate: number
  state: TransferState
  /** Why it failed, or why a queued transfer waits. */
  error?: string
  sha256?: string
  /** Counts its starts: a report of an earlier start is out of date. */
  attempt?: number
  /** A queued transfer starts again at this time (ms since 1970) after its connection was lost. */
  retryAt?: number
  /** Done by continuing from this byte what an earlier start left (the server's or this disk's). */
  resumedAt?: number
  /** Done at once: the same file (size and sha256) was there already. */
  alreadyThere?: boolean
  /** For a folder's tree: whole files done, of how many. */
  files?: number
  filesTotal?: number
  /** For a folder's tree: its files as they ended, the latest 200 (failures always kept). */
  items?: TransferItem[]
}

/** One file of a tree transfer, once it ended. */
export interface TransferItem {
  name: string
  size: number
  state: 'done' | 'failed'
  error?: string
}

export interface Settings {
  lastFolder: string | null
  lastPort: number
  exposure: Exposure
  recentPeers: Peer[]
  encrypted: boolean
  /** Null: the default, which is to require a code on the network only (as HostOptions). */
  requireCode: boolean | null
  /**
   * The host keeps an access code from an earlier start (hashed: never in clear), used again when
   * no other is typed, so peers need not learn a new one at each start.
   */
  accessCodeKept: boolean
  readOnly: boolean
  /** How people nearby see this host; the computer's name until changed. */
  displayName: string
  /** The object store last hosted, without its keys (those are kept sealed, apart). */
  lastS3: Omit<z.output<typeof S3Host>, 'accessKeyId' | 'secretAccessKey'> | null
  /** Whether the host shared the object store rather than the folder. */
  storage: 'folder' | 's3'
  /** The Host panel's grants, their codes hashed with `grantSalt` (never in clear). */
  grants: SavedGrant[]
  grantSalt: string | null
}

/** A grant as the settings keep it. */
export interface SavedGrant extends Grant {
  id: string
  /** scrypt of the code with the settings' `grantSalt`, in hex. */
  hash: string
}

/** What the Node side can do for the renderer. */
export interface AppInfo {
  version: string
  /** True in the desktop app (native folder dialog, local paths of dropped files). */
  nativeDialogs: boolean
  /**
   * Whether keys typed for an object store can be kept sealed (the desktop app, with the system's
   * secret storage); otherwise they come from the environment only.
   */
  sealedKeys: boolean
}

/** One folder of this computer for the browser mode's folder browser: its real path and sub-folders. */
export interface FolderListing {
  path: string
  /** Null at the top of the file system. */
  parent: string | null
  /** Names of the sub-folders, sorted; hidden ones left out. */
  folders: string[]
}

/** What a page reloaded during the session gets back. */
export interface SessionHistory {
  console: ConsoleEntry[]
  hostLog: LogLine[]
  transfers: TransferInfo[]
}

export interface DeleteResult {
  deleted: string[]
  failed: { name: string; error: string }[]
}

/** Requests: name → [argument schema, result type]. */
export const requestSchemas = {
  'host:start': HostOptions,
  'host:stop': z.undefined(),
  'host:status': z.undefined(),
  /** Replaces the grants (applied at once to connected clients' next command) and keeps them. */
  'host:grants': z.strictObject({ grants: z.array(GrantEdit).max(100) }),
  /** Gives a grant a new generated code; the old one stops working. */
  'host:regenerate': z.strictObject({ id: z.string().regex(/^[0-9a-f]{16}$/) }),
  /** Puts a trash entry back where it was. */
  'host:restore': z.strictObject({ id: text(64) }),
  /** Drops trash entries for good: the given ones, or all. */
  'host:emptyTrash': z.strictObject({ ids: z.array(text(64)).max(100_000).optional() }),
  /** The system's folder dialog (the desktop app), worded for what the folder is for. */
  'dialog:chooseFolder': z.strictObject({ purpose: z.enum(['share', 'upload', 'download']) }),
  /** Without a path: the home folder. */
  'dialog:listFolder': z.strictObject({ path: localPath.optional() }),
  'connection:connect': ConnectRequest,
  /** Connects with an invite link (bucketshare://…): its certificate only, its code given. */
  'connection:invite': z.strictObject({ link: z.string().max(4096) }),
  'connection:disconnect': z.undefined(),
  'connection:state': z.undefined(),
  'connection:auth': z.strictObject({ accessCode: z.string().min(1).max(128) }),
  'connection:changes': z.undefined(),
  'console:run': z.strictObject({ line: z.string().max(8192) }),
  'buckets:list': z.undefined(),
  'buckets:create': z.strictObject({ name }),
  'buckets:delete': z.strictObject({ name }),
  'files:list': z.strictObject({ bucket: name }),
  'files:delete': z.strictObject({ bucket: name, names: z.array(name).min(1).max(100_000) }),
  /** Renames or moves a file or folder within the bucket (`rename_f`). */
  'files:rename': z.strictObject({ bucket: name, from: name, to: name }),
  /** Makes a folder, and those above it (`create_b <bucket> <folder>`). */
  'files:mkdir': z.strictObject({ bucket: name, folder: name }),
  /** Local paths (the desktop app), or files whose bytes the page sends once asked (browser mode). */
  'transfers:upload': z.union([
    z.strictObject({
      bucket: name,
      /** Files or folders; a folder is uploaded whole, as one transfer of its tree. */
      paths: z.array(localPath).min(1).max(10_000),
      /** The name each file gets in the bucket, in the order of `paths` (default: its own name). */
      names: z.array(name).max(10_000).optional(),
    }),
    z.strictObject({
      bucket: name,
      /** Each file's name in the bucket and its size. */
      files: z.array(pageFile).min(1).max(10_000),
    }),
    /** A folder picked or dropped in the page: one transfer of its tree (browser mode). */
    z.strictObject({
      bucket: name,
      tree: z.strictObject({
        /** The tree's folder in the bucket. */
        name,
        /** Its empty folders, by their paths below it. */
        folders: z.array(name).max(MAX_TREE_ENTRIES),
      }),
      /** Its files by their paths below the tree's folder, each with its size. */
      files: z.array(pageFile).max(MAX_TREE_ENTRIES),
    }),
  ]),
  /** Into a local folder (the desktop app), or, without `dir`, to the page (browser mode). */
  'transfers:download': z
    .strictObject({
      bucket: name,
      names: z.array(name).min(1).max(10_000),
      dir: localPath.optional(),
      /**
       * Which of `names` are folders: each is downloaded as one tree, into `dir`, or without it
       * into the folder the page chose (which makes its folders and writes its files when told).
       */
      folders: z.array(name).max(10_000).optional(),
      /**
       * The size of each of `names` as the listing showed it (a folder's is not used): a hint,
       * small files then go several at a time on one connection. The answer's size is what counts.
       */
      sizes: z.array(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)).max(10_000).optional(),
    })
    .refine((args) => args.sizes === undefined || args.sizes.length === args.names.length, {
      message: 'one size for each name',
    }),
  'transfers:cancel': z.strictObject({ id: text(64) }),
  /** Pauses a transfer, or without `id` every unfinished one; it stays in the queue. */
  'transfers:pause': z.strictObject({ id: text(64).optional() }),
  /** Resumes a paused transfer, or without `id` every paused one. */
  'transfers:resume': z.strictObject({ id: text(64).optional() }),
  /** Starts every failed transfer again (those whose bytes can still be had). */
  'transfers:retryFailed': z.undefined(),
  'settings:get': z.undefined(),
  'app:info': z.undefined(),
  'discovery:start': z.undefined(),
  'discovery:stop': z.undefined(),
  'discovery:state': z.undefined(),
  'app:history': z.undefined(),
} as const

export interface RequestResults {
  'host:start': HostStatus
  'host:stop': HostStatus
  'host:status': HostStatus
  'host:grants': HostStatus
  'host:regenerate': HostStatus
  'host:restore': HostStatus
  'host:emptyTrash': HostStatus
  /** The chosen folder, or null when the person cancelled. */
  'dialog:chooseFolder': string | null
  'dialog:listFolder': FolderListing
  'connection:connect': ConnectionState
  'connection:invite': ConnectionState
  'connection:disconnect': ConnectionState
  'connection:state': ConnectionState
  /** Gives the access code on the open connection; fails with 1150 when it is wrong. */
  'connection:auth': ConnectionState
  /** The peer's folder version (`changes`), or null when the peer is too old to have one. */
  'connection:changes': string | null
  'console:run': ConsoleEntry
  'buckets:list': BucketEntry[]
  'buckets:create': void
  'buckets:delete': void
  /** Files by their paths in the bucket, and empty folders. */
  'files:list': ListEntry[]
  'files:delete': DeleteResult
  'files:rename': void
  'files:mkdir': void
  'transfers:upload': TransferInfo[]
  'transfers:download': TransferInfo[]
  'transfers:cancel': void
  'transfers:pause': void
  'transfers:resume': void
  'transfers:retryFailed': void
  'settings:get': Settings
  'app:info': AppInfo
  'discovery:start': DiscoveryState
  'discovery:stop': DiscoveryState
  'discovery:state': DiscoveryState
  /** The session so far (console, server log, transfers), for a page that reloads. */
  'app:history': SessionHistory
}

export type RequestName = keyof typeof requestSchemas
/** Arguments as the Node side receives them, validated and with defaults filled in. */
export type RequestArgs<C extends RequestName> = z.output<(typeof requestSchemas)[C]>
/** Arguments as the renderer sends them (fields with defaults may be left out). */
export type RequestInput<C extends RequestName> = z.input<(typeof requestSchemas)[C]>
export type RequestResult<C extends RequestName> = RequestResults[C]

export interface Events {
  'host:status': HostStatus
  'host:log': LogLine
  'connection:state': ConnectionState
  'console:entry': ConsoleEntry
  'transfer:update': TransferInfo
  'discovery:state': DiscoveryState
  /**
   * Browser mode: transfer `id` has its connection; the page sends or fetches its bytes now. For a
   * tree, `file` is the file's number (the request's `file` parameter) and `path` its path below
   * the tree's folder; with `folder` instead, the page makes that folder of a tree it downloads
   * (`''`: the tree's own folder).
   */
  'transfer:send': { id: string; file?: number; path?: string; folder?: string }
}

export type EventName = keyof Events

export { EVENT_NAMES, REQUEST_NAMES } from './channels.js'

/**
 * Error codes that are not protocol codes. A protocol failure carries its numeric code (e.g. 350).
 */
export type BridgeErrorCode =
  | number
  | 'INVALID_ARGUMENT'
  | 'NOT_CONNECTED'
  | 'TRANSPORT'
  /** A local file or folder cannot be read or written (not the peer's fault). */
  | 'LOCAL_FILE'
  /** A certificate: this host's cannot be read or made, or a peer's is not the one expected. */
  | 'CERTIFICATE'
  /** This app's host cannot start (folder, object store, port) or do what was asked of it. */
  | 'HOST'
  | 'UNSUPPORTED'
  | 'FORBIDDEN'
  | 'INTERNAL'

export interface BridgeError {
  code: BridgeErrorCode
  message: string
}

/** Every request resolves to this envelope: errors thrown across IPC would lose everything but text. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: BridgeError }

/** What both transports offer the renderer, typed from the contract. */
export interface BridgeApi {
  invoke<C extends RequestName>(
    request: C,
    ...args: RequestInput<C> extends undefined ? [] : [RequestInput<C>]
  ): Promise<Envelope<RequestResult<C>>>
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void
}
