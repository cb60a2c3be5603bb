/**
 * What the preload exposes as `window.bucketshare`, made from Electron's IPC so that it can be
 * checked without Electron (tests/unit/preload.test.ts): the contract's requests and events by
 * name, nothing else. A name outside the contract never reaches the main process.
 */
import { eventChannel, INVOKE_CHANNEL, isEventName, isRequestName } from '../../shared/channels.js'
import type { BridgeApi, Envelope, EventName, Events } from '../../shared/ipc.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Electron passes the payload as any
type Listener = (event: unknown, payload: any) => void

/** The part of Electron's ipcRenderer the preload uses. */
export interface PreloadIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>
  on(channel: string, listener: Listener): unknown
  off(channel: string, listener: Listener): unknown
}

export type PreloadApi = BridgeApi & {
  /** The local path of a file picked or dropped in the page (Electron hides it from the DOM). */
  pathForFile(file: File): string
}

export function preloadApi(ipc: PreloadIpc, pathForFile: (file: File) => string): PreloadApi {
  return {
    invoke: (request, ...args) =>
      isRequestName(request)
        ? (ipc.invoke(INVOKE_CHANNEL, request, args[0]) as Promise<Envelope<never>>)
        : Promise.resolve({
            ok: false,
            error: {
              code: 'INVALID_ARGUMENT',
              message: `unknown request ${JSON.stringify(request)}`,
            },
          }),
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void) {
      if (!isEventName(event)) return () => undefined
      // The Electron event object stays here: it would give the page access to the sender.
      const forward = (_event: unknown, payload: Events[E]): void => listener(payload)
      ipc.on(eventChannel(event), forward)
      return () => void ipc.off(eventChannel(event), forward)
    },
    pathForFile,
  }
}
