import { z } from 'zod'
import {
  requestSchemas,
  type BridgeError,
  type Envelope,
  type RequestChannel,
} from '../../shared/ipc.js'
import { LocalFileError, ProtocolError, TransportError } from '../client/index.js'
import { AppError } from './errors.js'
import type { Handlers } from './handlers.js'

/**
 * The single entry point of both transports (Electron IPC and the browser WebSocket). Everything
 * from the renderer is untrusted: the channel must be in the contract and the arguments must match
 * its schema. Failures come back as values with a code, never as thrown errors.
 */
export async function dispatch(
  handlers: Handlers,
  channel: unknown,
  args: unknown,
): Promise<Envelope<unknown>> {
  if (typeof channel !== 'string' || !Object.hasOwn(requestSchemas, channel))
    return failure({
      code: 'INVALID_ARGUMENT',
      message: `unknown request ${JSON.stringify(channel)}`,
    })
  const name = channel as RequestChannel
  const parsed = requestSchemas[name].safeParse(args)
  if (!parsed.success)
    return failure({
      code: 'INVALID_ARGUMENT',
      message: `bad arguments for ${name}: ${z.prettifyError(parsed.error)}`,
    })
  try {
    const handler = handlers[name] as (args: unknown) => unknown
    return { ok: true, value: await handler(parsed.data) }
  } catch (err) {
    return failure(bridgeErrorOf(err))
  }
}

function failure(error: BridgeError): Envelope<never> {
  return { ok: false, error }
}

/** What the renderer may learn of a failure: a code and a sentence, nothing internal. */
export function bridgeErrorOf(err: unknown): BridgeError {
  if (err instanceof ProtocolError)
    return { code: err.code, message: err.detail ? `${err.meaning}: ${err.detail}` : err.meaning }
  if (err instanceof TransportError) return { code: 'TRANSPORT', message: err.message }
  if (err instanceof AppError) return { code: err.code, message: err.message }
  if (err instanceof LocalFileError) return { code: 'INVALID_ARGUMENT', message: err.message }
  console.error(err)
  return { code: 'INTERNAL', message: 'Something went wrong inside BucketShare' }
}
