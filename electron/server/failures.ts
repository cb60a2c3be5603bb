import {
  COMMANDS,
  ProtocolError,
  type Code,
  type CommandSpec,
  type Verb,
} from '../../shared/protocol/index.js'
import { ResumeRefused, StoreError } from '../storage/index.js'

/**
 * The connection ended (closed by the client, timed out, or cut because a download could not be
 * finished): the command in progress cannot be answered.
 */
export class ConnectionLost extends Error {
  override readonly name = 'ConnectionLost'
}

export interface Failure {
  code: Code
  /** Reason sent to the client. */
  detail: string
  /** What really happened, for the server's own log only (unexpected errors). */
  internal?: string
}

/**
 * The one place where what a command throws becomes a response code. Clients get the protocol
 * code and a prepared reason; unexpected errors are answered "internal error", never with their
 * message.
 */
export function failureOf(verb: Verb, err: unknown): Failure {
  if (err instanceof ProtocolError) return { code: err.code, detail: err.detail }
  // Whatever the verb: the client should start its transfer from 0.
  if (err instanceof ResumeRefused) return { code: 1550, detail: err.reason }
  const spec: CommandSpec = COMMANDS[verb]
  const code = spec.failure ?? 400
  if (err instanceof StoreError) return { code, detail: err.reason }
  return {
    code,
    detail: 'internal error',
    internal: err instanceof Error ? err.stack : String(err),
  }
}
