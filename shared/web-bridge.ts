import type { Envelope, EventName, Events, RequestName } from './ipc.js'

/**
 * Browser mode (`npm run ui`): the same contract as the Electron preload, carried over a WebSocket
 * at `/bridge`, plus HTTP routes for file bytes (a browser has no local paths to hand over).
 * Every URL carries the session token that `npm run ui` prints: `?token=<TOKEN_PARAM value>`.
 */

export const TOKEN_PARAM = 'token'
export const BRIDGE_PATH = '/bridge'
/**
 * POST, body = the file's bytes, query: token, id (the transfer's), file (a tree's file number).
 * Answers the TransferInfo as JSON once it ended (a tree's file: once its bytes were taken).
 */
export const UPLOAD_PATH = '/upload'
/** GET, query: token, id, file (as for uploads). Answers the file as an attachment. */
export const DOWNLOAD_PATH = '/download'
/**
 * POST, query: token, id, file, ok (1 or 0): the page wrote a tree's file into the folder it
 * chose (1), or could not (0). The file counts as done only then, not once its bytes were sent.
 */
export const WRITTEN_PATH = '/written'

export type BridgeRequestMessage = {
  type: 'invoke'
  /** Chosen by the page, echoed in the result. */
  id: number
  request: RequestName
  args?: unknown
}

export type BridgeServerMessage =
  | { type: 'result'; id: number; envelope: Envelope<unknown> }
  | { [E in EventName]: { type: 'event'; event: E; payload: Events[E] } }[EventName]
