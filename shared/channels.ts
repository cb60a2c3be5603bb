import type { EventChannel } from './ipc.js'

/**
 * Channel names with no dependencies, for the Electron preload: a sandboxed preload cannot load
 * packages, so it must not import the schemas in ipc.ts.
 */

/** Every request travels on this one IPC channel as (request name, arguments). */
export const INVOKE_CHANNEL = 'bucketshare:invoke'

export const EVENT_CHANNELS = [
  'host:status',
  'host:log',
  'connection:state',
  'console:entry',
  'transfer:update',
  'discovery:state',
  'transfer:send',
] as const satisfies readonly EventChannel[]

/** The IPC channel an event travels on. */
export function eventChannel(event: EventChannel): string {
  return `bucketshare:event:${event}`
}
