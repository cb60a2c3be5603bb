import type { PreloadApi } from './types.js'

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser. */
    bucketshare?: PreloadApi
  }
}
