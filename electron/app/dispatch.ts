import { z } from 'zod'
import {
  requestSchemas,
  type BridgeError,
  type Envelope,
  type RequestChannel,
} from '../../shared/ipc.js'
import { bridgeErrorOf } from './errors.js'
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
