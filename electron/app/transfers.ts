import { randomUUID } from 'node:crypto'
import { hostPort } from '../../shared/address.js'
import type { ConnectionState, TransferInfo, TransferItem } from '../../shared/ipc.js'
import {
  isFileResult,
  runTransfer,
  type AnyResult,
  type AnyTransfer,
  type BucketClient,
} from '../client/index.js'
import type { KeepAwake } from './awake.js'
import type { ConnectionService } from './connection.js'
import { bridgeErrorOf } from './errors.js'
import type { Emit } from './events.js'
import { keptOf, QueueFile, restored, type KeptTransfer, type QueuedPeer } from './queue-file.js'
import { isConnectionLoss, MAX_RETRIES, retryDelay } from './retry.js'

/** Files of a tree listed with its transfer: enough to see what moved, never 100,000 over IPC. */
const MAX_ITEMS = 200

/** What a start ended with: no longer true once the next one begins. */
const OF_LAST_START: (keyof TransferInfo)[] = [
  'retryAt',
  'error',
  'sha256',
  'items',
  'resumedAt',
  'alreadyThere',
]

/** How a transfer ended: its final row, and the client's result or the error behind a failure. */
export type Settled = { info: TransferInfo } & ({ result: AnyResult } | { error: unknown })

export interface StartOptions {
  /** Chosen by the caller when the id must be known before the transfer starts (browser mode). */
  id?: string
  /** Passed on to the client's `command` event (e.g. the console's own origin). */
  origin?: string
  /** Told the exact command line once it is sent. */
  onCommand?: (line: string) => void
  /** The bytes come from (or go to) the browser page: after a restart they cannot be had again. */
  page?: boolean
}

export interface TransfersOptions {
  /** The app's data folder, where the queue is kept. */
  dir: string
  awake?: KeepAwake
}

/** Why the app stopped a running attempt. */
type Stop = 'pause' | 'cancel' | 'suspend'

interface Run {
  controller: AbortController
  ended: Promise<Settled>
  stop?: Stop
}

/** One transfer of the queue, from its start until it is done or cancelled. */
interface Entry {
  info: TransferInfo
  /** How to run it; undefined once its bytes are gone (a page's, after a restart). */
  spec: AnyTransfer | undefined
  peer: QueuedPeer
  options: StartOptions
  /** Tries after lost connections since it last moved bytes. */
  retries: number
  run?: Run
  /** Tells `start`'s caller that it is done, failed or cancelled. */
  finish: (end: Settled) => void
}

/**
 * Every transfer of the app, whatever starts it (the GUI with local paths, the browser with bytes
 * over HTTP, a Console-tab line): one `start`, one set of `transfer:update` events, one cancel, and
 * the client's concurrency for all. Unfinished transfers are a queue kept on disk: paused, resumed,
 * tried again after a lost connection (with backoff), and continued after a restart of the app
 * once their peer is connected (connecting to it by themselves when nothing else was chosen).
 */
export class TransfersService {
  private readonly entries = new Map<string, Entry>()
  private readonly file: QueueFile
  private readonly awake: KeepAwake | undefined
  private awakeHeld = false
  /** Transfers running or waiting for a retry: the computer stays awake while there are any. */
  private busy = 0
  /** A pump is due once the current work is done (many changes at once make one). */
  private pumpDue = false
  /** The next retry's timer. */
  private timer: NodeJS.Timeout | undefined
  /** The queue's own reconnection is under way (its state changes are not the person's). */
  private reconnecting = false
  /**
   * The peer the queue may connect to by itself: any (after a restart, until the person connects
   * somewhere) or the one whose connection was lost; none once the person chose otherwise.
   */
  private autoConnect: QueuedPeer | 'any' | undefined = 'any'
  private previous: ConnectionState
  private closed = false
  private readonly unwatch: () => void

  constructor(
    private readonly emit: Emit,
    private readonly connection: ConnectionService,
    options: TransfersOptions,
  ) {
    this.file = new QueueFile(options.dir)
    this.awake = options.awake
    this.previous = connection.state()
    for (const kept of this.file.read()) this.restore(kept)
    this.save()
    this.unwatch = connection.watch((state) => this.onConnection(state))
    this.soon()
  }

  /** Starts a transfer on the open connection and returns its row at once; `settled` tells how it ended. */
  start(
    spec: AnyTransfer,
    options: StartOptions = {},
  ): { info: TransferInfo; settled: Promise<Settled> } {
    const client = this.connection.require()
    const state = this.connection.state()
    const peer: QueuedPeer =
      state.status === 'connected'
        ? { host: state.host, port: state.port, fingerprint: state.fingerprint }
        : { host: client.host, port: client.port, fingerprint: client.fingerprint ?? null }
    let finish!: (end: Settled) => void
    const settled = new Promise<Settled>((resolve) => (finish = resolve))
    const entry: Entry = {
      info: {
        id: options.id ?? randomUUID(),
        direction: spec.direction,
        bucket: spec.bucket,
        name: spec.name,
        bytes: 0,
        total: 0,
        rate: 0,
        state: 'queued',
        attempt: 0,
      },
      spec,
      peer,
      options,
      retries: 0,
      finish,
    }
    this.entries.set(entry.info.id, entry)
    this.launch(entry, client)
    return { info: entry.info, settled }
  }

  /** How the running attempt of transfer `id` ends; undefined when it is not running. */
  attempt(id: string): Promise<Settled> | undefined {
    return this.entries.get(id)?.run?.ended
  }

  cancel(id: string): void {
    const entry = this.entries.get(id)
    if (!entry) return
    if (entry.run) return this.stop(entry.run, 'cancel')
    if (isFinal(entry.info)) return
    this.end(entry, { ...entry.info, state: 'cancelled' }, { error: new Error('cancelled') })
  }

  /**
   * The page dropped the request carrying transfer `id`'s bytes (the person cancelled the
   * browser's download): a cancel, unless the app stopped the transfer itself (a pause).
   */
  dropped(id: string): void {
    const run = this.entries.get(id)?.run
    if (run && !run.stop) this.stop(run, 'cancel')
  }

  /** Pauses one transfer, or every running or queued one. */
  pause(id?: string): void {
    for (const entry of this.chosen(id, ['running', 'queued'])) {
      if (entry.run) this.stop(entry.run, 'pause')
      else this.update(entry, { state: 'paused' }, ['retryAt', 'error'])
    }
  }

  /** Resumes one paused (or failed) transfer, or every paused one. */
  resume(id?: string): void {
    for (const entry of this.chosen(id, id ? ['paused', 'failed'] : ['paused'])) this.requeue(entry)
    this.soon()
  }

  /** Starts every failed transfer again whose bytes can still be had. */
  retryFailed(): void {
    for (const entry of this.chosen(undefined, ['failed'])) this.requeue(entry)
    this.soon()
  }

  /**
   * Stops every transfer as the app quits, keeping the unfinished ones in the queue on disk: the
   * next start continues them.
   */
  async suspend(): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearTimeout(this.timer)
    this.unwatch()
    const runs = [...this.entries.values()].flatMap((e) => (e.run ? [e.run] : []))
    for (const run of runs) this.stop(run, 'suspend')
    await Promise.all(runs.map((r) => r.ended))
    this.save()
    this.file.flush()
    this.keepAwake()
  }

  private chosen(id: string | undefined, states: TransferInfo['state'][]): Entry[] {
    const entries = id === undefined ? [...this.entries.values()] : [this.entries.get(id)]
    return entries.filter((e): e is Entry => e !== undefined && states.includes(e.info.state))
  }

  private requeue(entry: Entry): void {
    if (!entry.spec) return
    entry.retries = 0
    this.update(entry, { state: 'queued' }, ['retryAt', 'error'])
  }

  private stop(run: Run, why: Stop): void {
    run.stop ??= why
    run.controller.abort()
  }

  /** Runs the next attempt of `entry` on `client`. */
  private launch(entry: Entry, client: BucketClient): void {
    const spec = entry.spec!
    const controller = new AbortController()
    const attempt = (entry.info.attempt ?? 0) + 1
    this.update(entry, { state: 'running', attempt, rate: 0 }, OF_LAST_START)
    /** Where this start's progress began (a resumed one: at the held bytes). */
    let began: number | undefined
    // A tree's progress also counts whole files, and lists the latest of them as they end.
    let items: TransferItem[] = []
    const tree = (): Pick<TransferInfo, 'items'> => (items.length > 0 ? { items } : {})
    const { options } = entry
    const run: Run = {
      controller,
      // Started once `run` exists and is the entry's: a tree may report progress at once.
      ended: Promise.resolve()
        .then(() =>
          runTransfer(client, spec, {
            signal: controller.signal,
            onFile: (item) => {
              items = [...items, item]
              if (items.length <= MAX_ITEMS) return
              const dropped = items.findIndex((i) => i.state === 'done')
              items = items.filter((_, n) => n !== (dropped < 0 ? 0 : dropped))
            },
            onProgress: (p) => {
              if (entry.run !== run || controller.signal.aborted) return
              // Bytes moved: the connection works again, and a later loss gets its full tries.
              began ??= p.bytes
              if (p.bytes > began) entry.retries = 0
              const files = 'files' in p ? { files: p.files, filesTotal: p.filesTotal } : {}
              entry.info = { ...entry.info, ...files, ...tree(), bytes: p.bytes, total: p.total }
              entry.info.rate = p.rate
              this.emit('transfer:update', entry.info)
            },
            // A tree download's next attempt (a retry, after a restart) writes where this one did.
            onTreeFolder: (folder) => {
              if (!('local' in spec) || spec.exact) return
              entry.spec = { ...spec, local: folder, tree: true, exact: true }
              this.save()
            },
            // A paused download keeps its bytes beside the destination, a cancelled one not.
            keepPartial: () => run.stop !== 'cancel',
            ...(options.origin ? { origin: options.origin } : {}),
            ...(options.onCommand ? { onCommand: options.onCommand } : {}),
          }),
        )
        .then(
          (result) => this.ended(entry, run, { result }, tree()),
          (error: unknown) => this.ended(entry, run, { error }, tree()),
        ),
    }
    entry.run = run
  }

  /** Where an attempt leads: done, cancelled, paused, queued again, or failed. */
  private ended(
    entry: Entry,
    run: Run,
    outcome: { result: AnyResult } | { error: unknown },
    tree: Pick<TransferInfo, 'items'>,
  ): Settled {
    entry.run = undefined
    const info: TransferInfo = { ...entry.info, ...tree, rate: 0 }
    if ('result' in outcome) {
      const { result } = outcome
      const size = isFileResult(result) ? result.size : result.bytes
      const file = isFileResult(result)
        ? {
            sha256: result.sha256,
            ...(result.resumedAt ? { resumedAt: result.resumedAt } : {}),
            ...(result.alreadyThere ? { alreadyThere: true } : {}),
          }
        : {}
      return this.end(entry, { ...info, bytes: size, total: size, state: 'done', ...file }, outcome)
    }
    if (run.stop === 'cancel') return this.end(entry, { ...info, state: 'cancelled' }, outcome)
    if (run.stop === 'pause' || run.stop === 'suspend') {
      this.update(entry, { ...info, state: run.stop === 'pause' ? 'paused' : 'queued' })
      return { info: entry.info, ...outcome }
    }
    const message = bridgeErrorOf(outcome.error).message
    if (isConnectionLoss(outcome.error) && entry.spec) {
      entry.info = info
      this.retryLater(entry, `connection lost: ${message}`, outcome)
      return { info: entry.info, ...outcome }
    }
    return this.end(entry, { ...info, state: 'failed', error: message }, outcome)
  }

  /** Queues `entry` for another try after a backoff, or fails it once the tries are used up. */
  private retryLater(entry: Entry, why: string, outcome: { error: unknown }): void {
    entry.retries++
    if (entry.retries > MAX_RETRIES) {
      this.end(
        entry,
        { ...entry.info, state: 'failed', error: `${why} (tried ${MAX_RETRIES} times)` },
        outcome,
      )
      return
    }
    this.update(entry, {
      state: 'queued',
      error: why,
      retryAt: Date.now() + retryDelay(entry.retries),
    })
    this.soon()
  }

  /** Ends `entry` as done, failed or cancelled, and tells `start`'s caller. */
  private end(
    entry: Entry,
    info: TransferInfo,
    outcome: { result: AnyResult } | { error: unknown },
  ): Settled {
    this.update(entry, info)
    const end = { info: entry.info, ...outcome }
    entry.finish(end)
    if (info.state !== 'failed') this.entries.delete(info.id)
    return end
  }

  /** Changes `entry`'s row, tells the renderer and keeps the queue. */
  private update(
    entry: Entry,
    patch: Partial<TransferInfo>,
    drop: (keyof TransferInfo)[] = [],
  ): void {
    const info = { ...entry.info, ...patch }
    for (const key of drop) delete info[key]
    this.busy += Number(isBusy(info)) - Number(isBusy(entry.info))
    entry.info = info
    this.emit('transfer:update', info)
    this.save()
    this.keepAwake()
  }

  /**
   * Starts what waits, when it can: on its peer's open connection, or by connecting to the peer
   * when the queue may (see `autoConnect`); sets the timer for the next retry.
   */
  private pump(): void {
    if (this.closed) return
    clearTimeout(this.timer)
    this.timer = undefined
    const now = Date.now()
    let next = Infinity
    const ready: Entry[] = []
    for (const entry of this.entries.values()) {
      if (entry.info.state !== 'queued' || !entry.spec || entry.run) continue
      const at = entry.info.retryAt ?? 0
      if (at > now) next = Math.min(next, at)
      else ready.push(entry)
    }
    if (next < Infinity) this.timer = setTimeout(() => this.pump(), next - now).unref()
    if (ready.length === 0) return
    const state = this.connection.state()
    const client = this.connection.connected
    if (state.status === 'connected' && client) {
      for (const entry of ready) {
        if (!samePeer(entry.peer, state)) this.wait(entry, `waiting for ${where(entry.peer)}`)
        else if (state.needsCode) this.wait(entry, 'waiting for the access code')
        else this.launch(entry, client)
      }
      return
    }
    if (state.status === 'connecting' || this.reconnecting) return
    const auto = this.autoConnect
    const target = ready.find((e) => auto === 'any' || (auto && samePeer(e.peer, auto)))
    if (target) return void this.reconnect(target.peer)
    for (const entry of ready) this.wait(entry, `waiting for ${where(entry.peer)}`)
  }

  private wait(entry: Entry, why: string): void {
    if (entry.info.error !== why || entry.info.retryAt !== undefined)
      this.update(entry, { error: why }, ['retryAt'])
  }

  /** Connects to `peer` for the transfers waiting for it; an unreachable peer counts as a try. */
  private async reconnect(peer: QueuedPeer): Promise<void> {
    this.reconnecting = true
    const state = await this.connection.reconnect(peer).finally(() => (this.reconnecting = false))
    if (this.closed) return
    if (state.status !== 'connected') {
      const error = new Error((state.status === 'disconnected' && state.error) || 'not connected')
      for (const entry of this.entries.values())
        if (entry.info.state === 'queued' && !entry.run && samePeer(entry.peer, peer))
          this.retryLater(entry, `cannot reach ${where(peer)}: ${error.message}`, { error })
    }
    this.soon()
  }

  /** Follows the connection: a lost one is connected again by the queue, one the person chose is theirs. */
  private onConnection(state: ConnectionState): void {
    const before = this.previous
    this.previous = state
    if (!this.reconnecting && before.status === 'connected') {
      if (state.status === 'disconnected' && state.error)
        this.autoConnect = { host: before.host, port: before.port, fingerprint: before.fingerprint }
      else if (state.status === 'disconnected') this.autoConnect = undefined
    }
    if (!this.reconnecting && state.status === 'connecting') this.autoConnect = undefined
    // After the state's own listeners: a connection's handlers are in place once it says so.
    if (state.status === 'connected') this.soon()
  }

  /** A transfer listed from the queue file after a restart. */
  private restore(kept: KeptTransfer): void {
    const { info, spec } = restored(kept)
    const entry: Entry = {
      info,
      spec,
      peer: kept.peer,
      options: spec ? {} : { page: true },
      retries: 0,
      finish: () => undefined,
    }
    this.entries.set(info.id, entry)
    this.emit('transfer:update', info)
  }

  /** The queue as kept on disk. */
  private kept(): KeptTransfer[] {
    return [...this.entries.values()].flatMap(({ info, spec, peer, options }) => {
      const kept =
        !isFinal(info) && spec ? keptOf(info, spec, peer, options.page === true) : undefined
      return kept ? [kept] : []
    })
  }

  private soon(): void {
    if (this.pumpDue) return
    this.pumpDue = true
    queueMicrotask(() => {
      this.pumpDue = false
      this.pump()
    })
  }

  private save(): void {
    this.file.write(() => this.kept())
  }

  private keepAwake(): void {
    const busy = !this.closed && this.busy > 0
    if (busy === this.awakeHeld) return
    this.awakeHeld = busy
    if (busy) this.awake?.start()
    else this.awake?.stop()
  }
}

function isBusy(info: TransferInfo): boolean {
  return info.state === 'running' || info.retryAt !== undefined
}

function isFinal(info: TransferInfo): boolean {
  return info.state === 'done' || info.state === 'cancelled'
}

function samePeer(peer: QueuedPeer, other: QueuedPeer): boolean {
  if (peer.fingerprint || other.fingerprint) return peer.fingerprint === other.fingerprint
  return peer.host === other.host && peer.port === other.port
}

function where(peer: QueuedPeer): string {
  return hostPort(peer.host, peer.port)
}
