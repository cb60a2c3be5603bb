import type { Envelope, EventName, Events, RequestName, RequestResult } from '../../shared/ipc.js'
import type { Bridge } from '../../renderer/src/bridge/index.js'
import type { PickedTree } from '../../renderer/src/picked.js'

type Handler = (args: unknown) => unknown

/**
 * An in-memory bridge: requests are answered by handlers the test sets (unset ones fail with
 * UNSUPPORTED), every call is recorded, and events can be emitted as the Node side would.
 */
export class FakeBridge implements Bridge {
  readonly calls: { request: string; args: unknown }[] = []
  private readonly handlers = new Map<string, Handler>()
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>()

  handle<C extends RequestName>(
    request: C,
    handler: (args: never) => RequestResult<C> | Envelope<never>,
  ): this {
    this.handlers.set(request, handler as Handler)
    return this
  }

  async invoke(request: RequestName, ...args: unknown[]): Promise<Envelope<never>> {
    this.calls.push({ request, args: args[0] })
    const handler = this.handlers.get(request)
    if (!handler)
      return { ok: false, error: { code: 'UNSUPPORTED', message: `no handler for ${request}` } }
    const value = await handler(args[0])
    if (value && typeof value === 'object' && 'ok' in value && value.ok === false)
      return value as Envelope<never>
    return { ok: true, value: value as never }
  }

  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    const set = this.listeners.get(event) ?? new Set()
    this.listeners.set(event, set)
    set.add(listener as (payload: unknown) => void)
    return () => void set.delete(listener as (payload: unknown) => void)
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(payload)
  }

  async upload(bucket: string, files: File[]): Promise<Envelope<never>> {
    return this.invoke('transfers:upload', { bucket, paths: files.map((f) => f.name) })
  }

  /** Recorded as the page's request: the tree's name, empty folders and file paths. */
  async uploadTree(bucket: string, name: string, tree: PickedTree): Promise<Envelope<never>> {
    return this.invoke('transfers:upload', {
      bucket,
      tree: { name, folders: tree.folders },
      files: tree.files.map((f) => ({ name: f.path, size: f.file.size })),
    })
  }

  async download(bucket: string, names: string[], folders?: string[]): Promise<Envelope<never>> {
    return this.invoke('transfers:download', {
      bucket,
      names,
      dir: '/downloads',
      ...(folders?.length ? { folders } : {}),
    })
  }

  called(request: string): unknown[] {
    return this.calls.filter((c) => c.request === request).map((c) => c.args)
  }
}

/** A connection that is open and let in. */
export const CONNECTED = {
  status: 'connected',
  host: 'nas.local',
  port: 4567,
  fingerprint: null,
  firstContact: false,
  needsCode: false,
} as const
