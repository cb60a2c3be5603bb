import type { Envelope, EventChannel, Events, TransferInfo } from '../../../shared/ipc.js'
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
const UPLOAD_CONCURRENCY = 4

const LOST_MESSAGE = 'Lost the connection to the BucketShare process'
const lost: Envelope<never> = { ok: false, error: { code: 'TRANSPORT', message: LOST_MESSAGE } }

/**
 * Browser mode: the contract over a WebSocket to `npm run ui`, file bytes over HTTP. Every URL
 * carries the token the page was opened with.
 */
export function webBridge(location: Location): Bridge {
  const token = new URLSearchParams(location.search).get(TOKEN_PARAM) ?? ''
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  const socket = new WebSocket(
    `${scheme}//${location.host}${BRIDGE_PATH}?${TOKEN_PARAM}=${encodeURIComponent(token)}`,
  )
  const pending = new Map<number, (envelope: Envelope<unknown>) => void>()
  const listeners = new Map<EventChannel, Set<(payload: never) => void>>()
  const opened = new Promise<boolean>((resolve) => {
    socket.addEventListener('open', () => resolve(true))
    socket.addEventListener('close', () => resolve(false))
  })
  let nextId = 1

  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as BridgeServerMessage
    if (message.type === 'result') {
      pending.get(message.id)?.(message.envelope)
      pending.delete(message.id)
    } else {
      for (const listener of listeners.get(message.event) ?? []) listener(message.payload as never)
    }
  })
  socket.addEventListener('close', () => {
    for (const settle of pending.values()) settle(lost)
    pending.clear()
    for (const listener of listeners.get('connection:state') ?? [])
      listener({ status: 'disconnected', error: LOST_MESSAGE } as never)
  })

  const query = (params: Record<string, string>): string =>
    new URLSearchParams({ [TOKEN_PARAM]: token, ...params }).toString()

  const bridge: Bridge = {
    async invoke(channel, ...args) {
      if (!(await opened) || socket.readyState !== WebSocket.OPEN) return lost
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
      set.add(listener as (payload: never) => void)
      return () => void set.delete(listener as (payload: never) => void)
    },
    async upload(bucket, files) {
      const results: TransferInfo[] = []
      const queue = [...files]
      const worker = async (): Promise<Envelope<TransferInfo[]> | undefined> => {
        for (let file = queue.shift(); file; file = queue.shift()) {
          const response = await fetch(`${UPLOAD_PATH}?${query({ bucket, name: file.name })}`, {
            method: 'POST',
            body: file,
          }).catch(() => undefined)
          if (!response) return lost
          const body = (await response.json()) as TransferInfo | Envelope<never>
          if ('ok' in body) return body
          results.push(body)
        }
        return undefined
      }
      const outcomes = await Promise.all(Array.from({ length: UPLOAD_CONCURRENCY }, worker))
      return outcomes.find((o) => o !== undefined) ?? { ok: true, value: results }
    },
    async download(bucket, names) {
      // Each file is a download of the browser's own; progress still arrives as events.
      for (const name of names) {
        const link = document.createElement('a')
        link.href = `${DOWNLOAD_PATH}?${query({ bucket, name })}`
        link.download = name
        link.click()
      }
      return { ok: true, value: [] }
    },
  }
  return bridge
}
