/**
 * Exposes the contract of shared/ipc.ts to the renderer as `window.bucketshare`, and nothing else:
 * no ipcRenderer, no Node. The main process validates every request again.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import { EVENT_CHANNELS, eventChannel, INVOKE_CHANNEL } from '../../shared/channels.js'
import type { BridgeApi, EventChannel, Events } from '../../shared/ipc.js'

const api: BridgeApi & { pathForFile(file: File): string } = {
  invoke: (channel, ...args) => ipcRenderer.invoke(INVOKE_CHANNEL, channel, args[0]),
  on<E extends EventChannel>(event: E, listener: (payload: Events[E]) => void) {
    if (!(EVENT_CHANNELS as readonly string[]).includes(event)) return () => undefined
    // The Electron event object stays here: it would give the page access to the sender.
    const forward = (_event: IpcRendererEvent, payload: Events[E]): void => listener(payload)
    ipcRenderer.on(eventChannel(event), forward)
    return () => void ipcRenderer.off(eventChannel(event), forward)
  },
  /** The local path of a file picked or dropped in the page (Electron hides it from the DOM). */
  pathForFile: (file) => webUtils.getPathForFile(file),
}

contextBridge.exposeInMainWorld('bucketshare', api)
