/**
 * Exposes the contract of shared/ipc.ts to the renderer as `window.bucketshare`, and nothing else:
 * no ipcRenderer, no Node, no request or event outside the contract. The main process validates
 * every request again.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron'
import { preloadApi } from './api.js'

contextBridge.exposeInMainWorld(
  'bucketshare',
  preloadApi(ipcRenderer, (file) => webUtils.getPathForFile(file)),
)
