import {
  STOPPED_HOST,
  type Envelope,
  type EventName,
  type Events,
  type TransferInfo,
} from '../../../shared/ipc.js'
import {
  BRIDGE_PATH,
  DOWNLOAD_PATH,
  TOKEN_PARAM,
  UPLOAD_PATH,
  WRITTEN_PATH,
  type BridgeRequestMessage,
  type BridgeServerMessage,
} from '../../../shared/web-bridge.js'
import { canWriteFolders, chooseTreeFolder, type TreeFolder } from '../picked.js'
import type { Bridge } from './types.js'

export const LOST_MESSAGE =
  'Lost the connection to the BucketShare process: start it again and open the address it prints'
export const UNREACHABLE_MESSAGE =
  'Could not reach the BucketShare process: open the full address it printed, token included'

type Listener = (payload: never) => void
const failure = (
  code: 'TRANSPORT' | 'FORBIDDEN' | 'LOCAL_FILE',
  message: string,
): Envelope<never> => ({
  ok: false,
  error: { code, message },
})

/**
 * Browser mode: the contract over a WebSocket to `npm run ui`, file bytes over HTTP requests made
 * when a transfer asks for them (the same transfers, concurrency and cancel as the desktop app).
 * Every URL carries the token the page was opened with. When the socket closes, pending and later requests
 * fail with TRANSPORT and the connection and host show why.
 */
/** A transfer of this page, as its bytes are asked for. */
interface PageTransfer {
  /** One file to send. */
  file?: File
  /** A tree's files to send, by their numbers. */
  tree?: File[]
  /** A tree to write, as the folder `name` in the chosen folder. */
  into?: { folder: TreeFolder; name: string }
  /** Stops this transfer's requests once it ended. */
  stop: AbortController
}

export function webBridge(location: Location): Bridge {
  const token = new URLSearchParams(location.search).get(TOKEN_PARAM) ?? ''
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  const query = (params: Record<string, string>): string =>
    new URLSearchParams({ [TOKEN_PARAM]: token, ...params }).toString()
  const socket = new WebSocket(`${scheme}//${location.host}${BRIDGE_PATH}?${query({})}`)
  const pending = new Map<number, (envelope: Envelope<unknown>) => void>()
  const listeners = new Map<EventName, Set<Listener>>()
  let nextId = 1
  let wasOpen = false
  /** What the state events say once the socket is gone; also told to late subscribers. */
  let gone: { message: string; events: Partial<Events> } | undefined
  const opened = new Promise<boolean>((resolve) => {
    socket.addEventListener('open', () => {
      wasOpen = true
      resolve(true)
    })
    socket.addEventListener('close', () => resolve(false))
  })

  const emit = <E extends EventName>(event: E, payload: Events[E]): void =>
    listeners.get(event)?.forEach((listener) => listener(payload as never))

  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as BridgeServerMessage
    if (message.type === 'result') {
      pending.get(message.id)?.(message.envelope)
      pending.delete(message.id)
    } else {
      if (message.event === 'transfer:send') send(message.payload)
      if (message.event === 'transfer:update') ended(message.payload)
      emit(message.event, message.payload)
    }
  })
  socket.addEventListener('close', () => {
    const message = wasOpen ? LOST_MESSAGE : UNREACHABLE_MESSAGE
    gone = {
      message,
      events: {
        'connection:state': { status: 'disconnected', error: message },
        'host:status': { ...STOPPED_HOST, error: message },
      },
    }
    for (const settle of pending.values()) settle(failure('TRANSPORT', message))
    pending.clear()
    for (const [event, payload] of Object.entries(gone.events))
      emit(event as EventName, payload as never)
  })

  /**
   * This page's browser transfers not yet ended: a file to send, a tree's files to send, a
   * download to fetch, or a tree to write into a chosen folder, once the transfer asks for their
   * bytes (`transfer:send`); and the requests to stop when it ends first.
   */
  const transfers = new Map<string, PageTransfer>()
  /** Asks that came before the page learnt the transfer's id. */
  const early = new Map<string, Events['transfer:send'][]>()

  function send(ask: Events['transfer:send']): void {
    const transfer = transfers.get(ask.id)
    if (!transfer) return void early.set(ask.id, [...(early.get(ask.id) ?? []), ask])
    const url = (path: string): string =>
      `${path}?${query({ id: ask.id, ...(ask.file === undefined ? {} : { file: String(ask.file) }) })}`
    if (transfer.into) return void write(transfer, transfer.into, ask, url)
    const file = ask.file === undefined ? transfer.file : transfer.tree?.[ask.file]
    if (!file) {
      // The browser's own download; its progress still arrives as events.
      const link = document.createElement('a')
      link.href = url(DOWNLOAD_PATH)
      link.click()
      return
    }
    // How it ends arrives as a transfer:update event; this request only carries the bytes.
    fetch(url(UPLOAD_PATH), { method: 'POST', body: file, signal: transfer.stop.signal }).catch(
      () => undefined,
    )
  }

  /**
   * A tree's folder made, or one of its files fetched into its place (below the tree's own folder
   * in the chosen one), then said written or not: the file is done only once it is in place. A
   * file appears only whole: a failed fetch drops what was written.
   */
  async function write(
    transfer: PageTransfer,
    into: { folder: TreeFolder; name: string },
    ask: Events['transfer:send'],
    url: (path: string) => string,
  ): Promise<void> {
    const parts = (path: string): string[] => [into.name, ...path.split('/').filter(Boolean)]
    if (ask.folder !== undefined) return void (await into.folder.folder(parts(ask.folder)))
    if (ask.path === undefined) return
    const said = (ok: boolean): Promise<unknown> =>
      fetch(`${url(WRITTEN_PATH)}&ok=${ok ? 1 : 0}`, { method: 'POST' }).catch(() => undefined)
    try {
      const response = await fetch(url(DOWNLOAD_PATH), { signal: transfer.stop.signal })
      if (!response.ok || !response.body) return
      await into.folder.write(parts(ask.path), response.body, transfer.stop.signal)
      await said(true)
    } catch {
      // The transfer tells how it ended; the Node side stops the tree when a file fails.
      if (transfer.stop.signal.aborted) return
      await said(false)
      transfer.stop.abort()
    }
  }

  function track(
    started: Envelope<TransferInfo[]>,
    what: (info: TransferInfo, i: number) => Omit<PageTransfer, 'stop'>,
  ): Envelope<TransferInfo[]> {
    if (!started.ok) return started
    started.value.forEach((info, i) => {
      transfers.set(info.id, { ...what(info, i), stop: new AbortController() })
      const asks = early.get(info.id) ?? []
      early.delete(info.id)
      asks.forEach(send)
    })
    return started
  }

  function ended(info: TransferInfo): void {
    if (info.state === 'running') return
    const transfer = transfers.get(info.id)
    // The requests of a start that stopped end with it; a finished download's last bytes may
    // still be on their way to the disk.
    if (info.state !== 'done') transfer?.stop.abort()
    // A paused, queued or failed transfer may ask for its bytes again: the page keeps its files.
    if (transfer && info.state !== 'done' && info.state !== 'cancelled') {
      transfer.stop = new AbortController()
      return
    }
    transfers.delete(info.id)
    early.delete(info.id)
  }

  const invoke: Bridge['invoke'] = async (request, ...args) => {
    if (!(await opened) || socket.readyState !== WebSocket.OPEN)
      return failure('TRANSPORT', gone?.message ?? LOST_MESSAGE)
    const id = nextId++
    const message: BridgeRequestMessage = { type: 'invoke', id, request, args: args[0] }
    return new Promise((resolve) => {
      pending.set(id, resolve as (envelope: Envelope<unknown>) => void)
      socket.send(JSON.stringify(message))
    })
  }

  return {
    invoke,
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void) {
      const set = listeners.get(event) ?? new Set()
      listeners.set(event, set)
      set.add(listener as Listener)
      const last = gone?.events[event]
      if (last) queueMicrotask(() => listener(last))
      return () => void set.delete(listener as Listener)
    },
    async upload(bucket, files, names) {
      const list = files.map((f, i) => ({ name: names?.[i] ?? f.name, size: f.size }))
      return track(await invoke('transfers:upload', { bucket, files: list }), (_, i) => ({
        file: files[i]!,
      }))
    },
    async uploadTree(bucket, name, tree) {
      const started = await invoke('transfers:upload', {
        bucket,
        tree: { name, folders: tree.folders },
        files: tree.files.map((f) => ({ name: f.path, size: f.file.size })),
      })
      return track(started, () => ({ tree: tree.files.map((f) => f.file) }))
    },
    async download(bucket, names, folders = [], sizes) {
      if (folders.length > 0 && canWriteFolders()) {
        // Folders are written as folders where the person chooses (asked first: a click's dialog).
        const chosen = await chooseTreeFolder().catch((err: unknown) => err as Error)
        if (chosen === null) return { ok: true, value: [] }
        if (chosen instanceof Error) return failure('LOCAL_FILE', chosen.message)
        const started = await invoke('transfers:download', {
          bucket,
          names,
          folders,
          ...(sizes ? { sizes } : {}),
        })
        return track(started, (info) =>
          folders.includes(info.name)
            ? { into: { folder: chosen, name: info.name.slice(info.name.lastIndexOf('/') + 1) } }
            : {},
        )
      }
      // Elsewhere a folder's files are downloaded one by one, by the browser's own downloads.
      let all = names.map((name, i) => ({ name, size: sizes?.[i] }))
      if (folders.length > 0) {
        const listing = await invoke('files:list', { bucket })
        if (!listing.ok) return listing
        const trees = new Set(folders)
        const under = (name: string): boolean => folders.some((f) => name.startsWith(`${f}/`))
        all = [
          ...all.filter((f) => !trees.has(f.name)),
          ...listing.value.flatMap((e) => ('folder' in e || !under(e.name) ? [] : [e])),
        ]
      }
      const known = all.every((f) => f.size !== undefined)
      return track(
        await invoke('transfers:download', {
          bucket,
          names: all.map((f) => f.name),
          ...(known ? { sizes: all.map((f) => f.size!) } : {}),
        }),
        () => ({}),
      )
    },
  }
}
