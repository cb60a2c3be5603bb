import { electronBridge } from './electron.js'
import type { Bridge } from './types.js'
import { webBridge } from './web.js'

export type { Bridge } from './types.js'

let current: Bridge | undefined

/** The desktop app's preload when present, else the browser-mode WebSocket. */
export function pickBridge(): Bridge {
  return window.bucketshare ? electronBridge(window.bucketshare) : webBridge(window.location)
}

/** Sets the bridge the stores use (a fake one in tests). */
export function setBridge(bridge: Bridge): void {
  current = bridge
}

export function bridge(): Bridge {
  if (!current) throw new Error('setBridge() was not called')
  return current
}
