import { z } from 'zod'
import {
  requestSchemas,
  type BridgeError,
  type Envelope,
  type RequestName,
} from '../../shared/ipc.js'
import { bridgeErrorOf } from './errors.js'
import type { Handlers } from './handlers.js'

/**
 * The single entry point of both transports (Electron IPC and the browser WebSocket). Everything
 * from the renderer is untrusted: the request must be in the contract and the arguments must match
 * its schema. Failures come back as values with a code, never as thrown errors.
 */
export async function dispatch(
  handlers: Handlers,
  request: unknown,
  args: unknown,
): Promise<Envelope<unknown>> {
  if (typeof request !== 'string' || !Object.hasOwn(requestSchemas, request))
    return failure({
      code: 'INVALID_ARGUMENT',
      message: `unknown request ${JSON.stringify(request)}`,
    })
  const name = request as RequestName
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
