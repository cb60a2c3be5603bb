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

/** Uploads from a browser run this many at a time. */
export const UPLOAD_CONCURRENCY = 4

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
 * Browser mode: the contract over a WebSocket to `npm run ui`, file bytes over HTTP. Every URL
 * carries the token the page was opened with. When the socket closes, pending and later requests
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
    } else emit(message.event, message.payload)
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

  async function uploadOne(
    bucket: string,
    file: File,
    name: string,
  ): Promise<Envelope<TransferInfo>> {
    const response = await fetch(`${UPLOAD_PATH}?${query({ bucket, name })}`, {
      method: 'POST',
      body: file,
    }).catch(() => undefined)
    if (!response) return failure('TRANSPORT', gone?.message ?? LOST_MESSAGE)
    // A TransferInfo (also for a failed transfer), an error envelope, or a plain-text refusal.
    const body = (await response.json().catch(() => undefined)) as
      TransferInfo | Envelope<never> | undefined
    if (body && 'ok' in body) return body
    if (body && 'id' in body) return { ok: true, value: body }
    const code = response.status === 403 ? 'FORBIDDEN' : 'TRANSPORT'
    return failure(code, `Uploading “${name}” was refused (HTTP ${response.status})`)
  }

  return {
    async invoke(channel, ...args) {
      if (!(await opened) || socket.readyState !== WebSocket.OPEN)
        return failure('TRANSPORT', gone?.message ?? LOST_MESSAGE)
      const id = nextId++
      const message: BridgeRequestMessage = { type: 'invoke', id, channel, args: args[0] }
      return new Promise((resolve) => {
        pending.set(id, resolve as (envelope: Envelope<unknown>) => void)
        socket.send(JSON.stringify(message))
      })
    },
    on<E extends EventChannel>(event: E, listener: (payload: Events[E]) => void) {
      const set = listeners.get(event) ?? new Set()
      listeners.set(event, set)
      set.add(listener as Listener)
      const last = gone?.events[event]
      if (last) queueMicrotask(() => listener(last))
      return () => void set.delete(listener as Listener)
    },
    async upload(bucket, files, names) {
      const started: TransferInfo[] = []
      let refused: Envelope<never> | undefined
      let next = 0
      const worker = async (): Promise<void> => {
        while (next < files.length) {
          const i = next++
          const outcome = await uploadOne(bucket, files[i]!, names?.[i] ?? files[i]!.name)
          if (outcome.ok) started.push(outcome.value)
          else refused ??= outcome
        }
      }
      const workers = Math.min(UPLOAD_CONCURRENCY, files.length)
      await Promise.all(Array.from({ length: workers }, worker))
      return refused ?? { ok: true, value: started }
    },
    async download(bucket, names, folders = []) {
      // A browser cannot write a folder: a folder's files are downloaded one by one.
      let all = names
      if (folders.length > 0) {
        const listing = await this.invoke('files:list', { bucket })
        if (!listing.ok) return listing
        const trees = new Set(folders)
        const under = (name: string): boolean => folders.some((f) => name.startsWith(`${f}/`))
        all = [
          ...names.filter((n) => !trees.has(n)),
          ...listing.value.filter((e) => !('folder' in e) && under(e.name)).map((e) => e.name),
        ]
      }
      // Each file is a download of the browser's own; progress still arrives as events.
      for (const name of all) {
        const link = document.createElement('a')
        link.href = `${DOWNLOAD_PATH}?${query({ bucket, name })}`
        link.download = name.slice(name.lastIndexOf('/') + 1)
        link.click()
      }
      return { ok: true, value: [] }
    },
  }
}
