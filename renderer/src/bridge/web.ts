import {
  STOPPED_HOST,
  type Envelope,
  type EventChannel,
  type Events,
  type TransferInfo,
} from '../../../shared/ipc.js'
import {
  BRIDGE_PATH,
  DOWNLOAD_PATH,
  TOKEN_PARAM,
  UPLOAD_PATH,
  type BridgeRequestMessage,
  type BridgeServerMessage,
} from '../../../shared/web-bridge.js'
import type { Bridge } from './types.js'

export const LOST_MESSAGE =
  'Lost the connection to the BucketShare process: start it again and open the address it prints'
export const UNREACHABLE_MESSAGE =
  'Could not reach the BucketShare process: open the full address it printed, token included'

type Listener = (payload: never) => void
const failure = (code: 'TRANSPORT' | 'FORBIDDEN', message: string): Envelope<never> => ({
  ok: false,
  error: { code, message },
})

/**
 * Browser mode: the contract over a WebSocket to `npm run ui`, file bytes over HTTP requests made
 * when a transfer asks for them (the same transfers, concurrency and cancel as the desktop app).
 * Every URL carries the token the page was opened with. When the socket closes, pending and later requests
 * fail with TRANSPORT and the connection and host show why.
 */
export function webBridge(location: Location): Bridge {
  const token = new URLSearchParams(location.search).get(TOKEN_PARAM) ?? ''
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  const query = (params: Record<string, string>): string =>
    new URLSearchParams({ [TOKEN_PARAM]: token, ...params }).toString()
  const socket = new WebSocket(`${scheme}//${location.host}${BRIDGE_PATH}?${query({})}`)
  const pending = new Map<number, (envelope: Envelope<unknown>) => void>()
  const listeners = new Map<EventChannel, Set<Listener>>()
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

  const emit = <E extends EventChannel>(event: E, payload: Events[E]): void =>
    listeners.get(event)?.forEach((listener) => listener(payload as never))

  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as BridgeServerMessage
    if (message.type === 'result') {
      pending.get(message.id)?.(message.envelope)
      pending.delete(message.id)
    } else {
      if (message.event === 'transfer:send') send(message.payload.id)
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
      emit(event as EventChannel, payload as never)
  })

  /**
   * This page's browser transfers not yet ended: a file to send, or a download to fetch, once the
   * transfer asks for its bytes (`transfer:send`), and the request to stop when it ends first.
   */
  const transfers = new Map<string, { file?: File; request?: AbortController }>()
  /** Asks that came before the page learnt the transfer's id. */
  const early = new Set<string>()

  function send(id: string): void {
    const transfer = transfers.get(id)
    if (!transfer) return void early.add(id)
    const url = `${transfer.file ? UPLOAD_PATH : DOWNLOAD_PATH}?${query({ id })}`
    if (!transfer.file) {
      // The browser's own download; its progress still arrives as events.
      const link = document.createElement('a')
      link.href = url
      link.click()
      return
    }
    transfer.request = new AbortController()
    // How it ends arrives as a transfer:update event; this request only carries the bytes.
    fetch(url, { method: 'POST', body: transfer.file, signal: transfer.request.signal }).catch(
      () => undefined,
    )
  }

  function track(started: Envelope<TransferInfo[]>, files?: File[]): Envelope<TransferInfo[]> {
    if (!started.ok) return started
    started.value.forEach((info, i) => {
      transfers.set(info.id, files ? { file: files[i]! } : {})
      if (early.delete(info.id)) send(info.id)
    })
    return started
  }

  function ended(info: TransferInfo): void {
    if (info.state === 'running') return
    transfers.get(info.id)?.request?.abort()
    transfers.delete(info.id)
    early.delete(info.id)
  }

  const invoke: Bridge['invoke'] = async (channel, ...args) => {
    if (!(await opened) || socket.readyState !== WebSocket.OPEN)
      return failure('TRANSPORT', gone?.message ?? LOST_MESSAGE)
    const id = nextId++
    const message: BridgeRequestMessage = { type: 'invoke', id, channel, args: args[0] }
    return new Promise((resolve) => {
      pending.set(id, resolve as (envelope: Envelope<unknown>) => void)
      socket.send(JSON.stringify(message))
    })
  }

  return {
    invoke,
    on<E extends EventChannel>(event: E, listener: (payload: Events[E]) => void) {
      const set = listeners.get(event) ?? new Set()
      listeners.set(event, set)
      set.add(listener as Listener)
      const last = gone?.events[event]
      if (last) queueMicrotask(() => listener(last))
      return () => void set.delete(listener as Listener)
    },
    async upload(bucket, files, names) {
      const list = files.map((f, i) => ({ name: names?.[i] ?? f.name, size: f.size }))
      return track(await invoke('transfers:upload', { bucket, files: list }), files)
    },
    async download(bucket, names, folders = []) {
      // A browser cannot write a folder: a folder's files are downloaded one by one.
      let all = names
      if (folders.length > 0) {
        const listing = await invoke('files:list', { bucket })
        if (!listing.ok) return listing
        const trees = new Set(folders)
        const under = (name: string): boolean => folders.some((f) => name.startsWith(`${f}/`))
        all = [
          ...names.filter((n) => !trees.has(n)),
          ...listing.value.filter((e) => !('folder' in e) && under(e.name)).map((e) => e.name),
        ]
      }
      return track(await invoke('transfers:download', { bucket, names: all }))
    },
  }
}
