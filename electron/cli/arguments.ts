import { InvalidArgumentError } from 'commander'
import { parsePort } from '../../shared/address.js'

/** Commander's reading of a port to connect to. */
export function portArgument(text: string): number {
  const parsed = parsePort(text)
  if (!parsed.ok) throw new InvalidArgumentError(parsed.reason)
  return parsed.port
}

/** Commander's reading of a port to listen on, where 0 picks a free one. */
export function listenPortArgument(text: string): number {
  const parsed = parsePort(text, { anyFree: true })
  if (!parsed.ok) throw new InvalidArgumentError(parsed.reason)
  return parsed.port
}
