import { randomBytes } from 'node:crypto'
import {
  S3Host,
  STOPPED_HOST,
  type GrantEdit,
  type HostStatus,
  type RequestArgs,
  type SavedGrant,
  type Settings,
} from '../../shared/ipc.js'
import { formatS3Address } from '../storage/s3/location.js'
import type { S3Options } from '../storage/s3/store.js'
import { Announcer, discoveryOff, hostInvite } from '../discovery/index.js'
import {
  generateAccessCode,
  hashCode,
  loadOrCreateIdentity,
  newSalt,
  type StoredGrant,
  PROTOCOL_VERSION,
  reachableAddresses,
  startServer,
  type BucketServer,
} from '../server/index.js'
import { describeError } from '../../shared/format.js'
import { AppError, bridgeErrorOf } from './errors.js'
import type { Emit } from './events.js'
import type { Secrets } from './secrets.js'
import type { SettingsStore } from './settings.js'

type S3Credentials = NonNullable<S3Options['credentials']>

/** Changes of the trash that come in a burst (a folder of files deleted) make one status. */
const TRASH_STATUS_MS = 150

/** Hosting a folder: at most one server, started and stopped from the app. */
export class HostService {
  private server: BucketServer | undefined
  /** Announces the host nearby while it listens on the network. */
  private announcer: Announcer | undefined
  /** The settings of the last start, shown while running and after a stop or a failure. */
  private last: Partial<HostStatus> = {}
  private error: string | undefined
  /** A status due because the trash changed (see TRASH_STATUS_MS). */
  private trashTimer: NodeJS.Timeout | undefined
  /** Codes of grants made or typed since the app started, by grant id: shown, never stored. */
  private readonly codes = new Map<string, string>()
  /** The grant of the host's own access code, when it has one (in the server's table, not saved). */
  private base: StoredGrant[] = []
  /** The host's own access code in clear, once typed, made or unsealed in this run; never saved. */
  private accessCode: string | undefined

  constructor(
    private readonly emit: Emit,
    private readonly settings: SettingsStore,
    /** Where the TLS certificate is kept (the app's data folder). */
    private readonly dataDir: string,
    /** Seals an object store's keys; without it (browser mode) they come from the environment. */
    private readonly secrets?: Secrets,
  ) {
    // Older versions kept the code in clear: it is kept hashed from now on.
    const clear = settings.takeClearAccessCode()
    if (clear !== null) this.keeping = this.keepAccessCode(clear)
  }

  /** Keeping a code hashed (scrypt takes a moment): a start waits for it. */
  private keeping: Promise<string> | undefined

  /** Whether keys typed for an object store can be kept here. */
  get keepsKeys(): boolean {
    return this.secrets !== undefined
  }

  /**
   * Where an object store's keys come from: those typed now (sealed and kept for the next start),
   * else those kept before, else the environment. Typed keys are refused where they cannot be kept
   * safely, rather than kept in clear.
   */
  private s3Credentials(s3: S3Host): S3Options['credentials'] {
    const { accessKeyId, secretAccessKey } = s3
    if (accessKeyId === undefined && secretAccessKey === undefined) {
      const sealed = this.settings.sealedS3Keys
      return sealed && this.secrets
        ? (JSON.parse(this.secrets.open(sealed)) as S3Credentials)
        : undefined
    }
    if (!accessKeyId || !secretAccessKey)
      throw new AppError('INVALID_ARGUMENT', 'Give both keys of the object store, or neither.')
    if (!this.secrets)
      throw new AppError(
        'INVALID_ARGUMENT',
        "Here the object store's keys come from the environment only (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY of the BucketShare process, or AWS_PROFILE): browser mode cannot keep them safely.",
      )
    this.settings.sealedS3Keys = this.secrets.seal(JSON.stringify({ accessKeyId, secretAccessKey }))
    return { accessKeyId, secretAccessKey }
  }

  status(): HostStatus {
    const server = this.server
    const fingerprint = this.last.fingerprint ?? null
    return {
      ...STOPPED_HOST,
      displayName: this.settings.get().displayName,
      ...this.last,
      running: server !== undefined,
      addresses: server ? reachableAddresses(server.host, server.port) : [],
      clients: server?.clients() ?? [],
      announced: this.announcer !== undefined,
      grants: this.settings.get().grants.map(({ hash: _hash, ...grant }) => ({
        ...grant,
        code: this.codes.get(grant.id) ?? null,
      })),
      trash: server?.trash?.list() ?? [],
      invite:
        server && fingerprint
          ? hostInvite({
              host: server.host,
              port: server.port,
              fingerprint,
              accessCode: this.last.accessCode ?? null,
            })
          : null,
      ...(this.error ? { error: this.error } : {}),
    }
  }

  /** The port this app hosts on, while it does. */
  get port(): number | null {
    return this.server?.port ?? null
  }

  async start(options: RequestArgs<'host:start'>): Promise<HostStatus> {
    await this.stop()
    const host = options.exposure === 'network' ? '0.0.0.0' : '127.0.0.1'
    const requireCode = options.requireCode ?? options.exposure === 'network'
    const codeHash = requireCode ? await this.codeHash(options.accessCode) : null
    const accessCode = codeHash === null ? null : (this.accessCode ?? null)
    const displayName = options.displayName ?? this.settings.get().displayName
    const s3 = options.s3 ? S3Host.parse(options.s3) : undefined
    try {
      const credentials = s3 ? this.s3Credentials(s3) : undefined
      const root = s3 ? formatS3Address({ bucket: s3.bucket, prefix: s3.prefix }) : options.root
      const identity = options.encrypted ? await loadOrCreateIdentity(this.dataDir) : undefined
      this.last = {
        root,
        port: options.port,
        exposure: options.exposure,
        encrypted: options.encrypted,
        fingerprint: identity?.fingerprint ?? null,
        codeRequired: requireCode,
        accessCode,
        readOnly: options.readOnly,
        displayName,
      }
      const salt = this.salt()
      this.base = codeHash
        ? [{ label: 'access code', role: 'full', buckets: 'all', hash: codeHash }]
        : []
      const server = await startServer({
        root,
        ...(s3
          ? {
              s3: {
                ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
                ...(s3.region ? { region: s3.region } : {}),
                pathStyle: s3.pathStyle,
                ...(credentials ? { credentials } : {}),
              },
            }
          : {}),
        port: options.port,
        host,
        readOnly: options.readOnly,
        storedGrants: { salt, grants: [...this.base, ...this.saved()] },
        ...(identity ? { tls: identity } : {}),
      })
      server.on('log', (line) => this.emit('host:log', line))
      server.on('clients', () => this.publish())
      // Deletes, restores and expiry show in the Host panel's trash without asking.
      server.trash?.onChange(() => {
        this.trashTimer ??= setTimeout(() => {
          this.trashTimer = undefined
          if (this.server === server) this.publish()
        }, TRASH_STATUS_MS)
      })
      this.server = server
      this.last.root = server.root
      this.error = undefined
      // Only a host on the network is announced: nobody nearby could reach a loopback one.
      if (options.exposure === 'network' && !discoveryOff()) {
        this.announcer = new Announcer({
          displayName,
          port: server.port,
          fingerprint: identity?.fingerprint ?? null,
          codeRequired: server.protected,
          protocolVersion: PROTOCOL_VERSION,
        })
        this.announcer.start()
      }
      const { accessKeyId, secretAccessKey, ...lastS3 } = s3 ?? {}
      this.settings.rememberHost({
        lastFolder: s3 ? this.settings.get().lastFolder : server.root,
        lastS3: s3 ? (lastS3 as Settings['lastS3']) : this.settings.get().lastS3,
        storage: s3 ? 's3' : 'folder',
        lastPort: options.port,
        exposure: options.exposure,
        encrypted: options.encrypted,
        // The person's choice, restored as such: left to the default, it follows the exposure.
        requireCode: options.requireCode ?? null,
        readOnly: options.readOnly,
        displayName,
      })
    } catch (err) {
      this.error = describeError(bridgeErrorOf(err))
      this.publish()
      throw err
    }
    return this.publish()
  }

  async stop(): Promise<HostStatus> {
    const server = this.server
    // The goodbye goes first, so browsers drop this host at once.
    const announcer = this.announcer
    this.announcer = undefined
    await announcer?.stop()
    if (server) {
      this.server = undefined
      clearTimeout(this.trashTimer)
      this.trashTimer = undefined
      await server.close()
    }
    return this.publish()
  }

  /**
   * Replaces the grants: kept hashed in the settings, and applied to the running host at once
   * (connected clients' next command sees the change).
   */
  async saveGrants(edits: RequestArgs<'host:grants'>['grants']): Promise<HostStatus> {
    const salt = this.salt()
    const old = new Map(this.settings.get().grants.map((g) => [g.id, g]))
    const grants: SavedGrant[] = []
    for (const edit of edits) {
      const previous = edit.id === undefined ? undefined : old.get(edit.id)
      if (edit.id !== undefined && !previous)
        throw new AppError('INVALID_ARGUMENT', `no grant ${edit.id}`)
      const id = previous?.id ?? randomBytes(8).toString('hex')
      grants.push({ ...this.grantOf(edit), id, hash: await this.hashFor(id, edit, previous, salt) })
    }
    this.keep(grants, salt)
    return this.publish()
  }

  /** A new generated code for a grant; the old one stops working at once. */
  async regenerate(id: string): Promise<HostStatus> {
    const salt = this.salt()
    const grants = this.settings.get().grants
    const grant = grants.find((g) => g.id === id)
    if (!grant) throw new AppError('INVALID_ARGUMENT', `no grant ${id}`)
    const code = generateAccessCode()
    this.codes.set(id, code)
    const hash = await hashCode(code, salt)
    this.keep(
      grants.map((g) => (g.id === id ? { ...g, hash } : g)),
      salt,
    )
    return this.publish()
  }

  async restore(id: string): Promise<HostStatus> {
    await this.running().restore(id)
    return this.publish()
  }

  async emptyTrash(ids?: string[]): Promise<HostStatus> {
    await this.running().trash?.empty(ids)
    return this.publish()
  }

  private running(): BucketServer {
    if (!this.server) throw new AppError('INVALID_ARGUMENT', 'the host is not running')
    return this.server
  }

  /**
   * The hash of the host's access code: the one typed now, else the one kept from before (shown
   * again where it was kept sealed), else a new one. A typed or made code is kept hashed, and
   * stays kept when a code is no longer required, so requiring one again brings the same code.
   */
  private async codeHash(typed: string | undefined): Promise<string> {
    const migrated = await this.keeping
    this.keeping = undefined
    if (typed !== undefined) return this.keepAccessCode(typed)
    if (migrated !== undefined) return migrated
    const kept = this.settings.accessCode
    if (!kept) return this.keepAccessCode(generateAccessCode())
    if (this.accessCode === undefined && kept.sealed && this.secrets) {
      try {
        this.accessCode = this.secrets.open(kept.sealed)
      } catch {
        // Sealed on another computer or account: it still opens the host, but cannot be shown.
      }
    }
    return kept.hash
  }

  /** Keeps `code` as the host's access code: hashed, and sealed where the app can seal. */
  private async keepAccessCode(code: string): Promise<string> {
    this.accessCode = code
    const hash = await hashCode(code, this.salt())
    this.settings.accessCode = { hash, sealed: this.secrets ? this.secrets.seal(code) : null }
    return hash
  }

  /** The salt of every hash in the settings, made once. */
  private salt(): string {
    const salt = this.settings.get().grantSalt ?? newSalt()
    if (this.settings.get().grantSalt === null)
      this.settings.rememberGrants(this.settings.get().grants, salt)
    return salt
  }

  private saved(): StoredGrant[] {
    return this.settings.get().grants.map(({ id: _id, ...grant }) => grant)
  }

  private grantOf(edit: GrantEdit): Omit<SavedGrant, 'id' | 'hash'> {
    const buckets = edit.buckets === 'all' ? 'all' : edit.buckets.map((b) => b.normalize('NFC'))
    return { label: edit.label, role: edit.role, buckets }
  }

  /** The hash of a grant's code: a typed one, the one it had, or a new generated one. */
  private async hashFor(
    id: string,
    edit: GrantEdit,
    previous: SavedGrant | undefined,
    salt: string,
  ): Promise<string> {
    if (edit.code === undefined && previous) return previous.hash
    const code = edit.code ?? generateAccessCode()
    this.codes.set(id, code)
    return hashCode(code, salt)
  }

  private keep(grants: SavedGrant[], salt: string): void {
    this.settings.rememberGrants(grants, salt)
    for (const id of this.codes.keys()) if (!grants.some((g) => g.id === id)) this.codes.delete(id)
    this.server?.grants.replace([...this.base, ...this.saved()])
  }

  private publish(): HostStatus {
    const status = this.status()
    this.emit('host:status', status)
    return status
  }
}
