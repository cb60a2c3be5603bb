import type { EventName, RequestName } from './ipc.js'

/**
 * The names of the contract's requests and events, with no dependencies, for the Electron
 * preload: a sandboxed preload cannot load packages, so it must not import the schemas in ipc.ts.
 * Adding a request or event to ipc.ts without naming it here fails the type check.
 */

export const REQUEST_NAMES = [
  'host:start',
  'host:stop',
  'host:status',
  'host:grants',
  'host:regenerate',
  'host:restore',
  'host:emptyTrash',
  'dialog:chooseFolder',
  'dialog:listFolder',
  'connection:connect',
  'connection:invite',
  'connection:disconnect',
  'connection:state',
  'connection:auth',
  'connection:changes',
  'console:run',
  'buckets:list',
  'buckets:create',
  'buckets:delete',
  'files:list',
  'files:delete',
  'files:rename',
  'files:mkdir',
  'transfers:upload',
  'transfers:download',
  'transfers:cancel',
  'transfers:pause',
  'transfers:resume',
  'transfers:retryFailed',
  'settings:get',
  'app:info',
  'discovery:start',
  'discovery:stop',
  'discovery:state',
  'app:history',
] as const satisfies readonly RequestName[]

export const EVENT_NAMES = [
  'host:status',
  'host:log',
  'connection:state',
  'console:entry',
  'transfer:update',
  'discovery:state',
  'transfer:send',
] as const satisfies readonly EventName[]

/** Every name of the contract is listed above (a missing one makes `true` fail to type-check). */
type Unlisted =
  | Exclude<RequestName, (typeof REQUEST_NAMES)[number]>
  | Exclude<EventName, (typeof EVENT_NAMES)[number]>
export const EVERY_NAME_LISTED: [Unlisted] extends [never] ? true : Unlisted = true

export function isRequestName(name: unknown): name is RequestName {
  return (REQUEST_NAMES as readonly unknown[]).includes(name)
}

export function isEventName(name: unknown): name is EventName {
  return (EVENT_NAMES as readonly unknown[]).includes(name)
}

/** Every request travels on this one IPC channel as (request name, arguments). */
export const INVOKE_CHANNEL = 'bucketshare:invoke'

/** The IPC channel an event travels on. */
export function eventChannel(event: EventName): string {
  return `bucketshare:event:${event}`
}
