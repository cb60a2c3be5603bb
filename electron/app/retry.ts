import { ProtocolError, TransportError } from '../client/index.js'
import { AppError } from './errors.js'

/** Waits before each new try after a lost connection: 2, 4, 8, 16, 32, then 60 s. */
export const RETRY_DELAYS_MS = [2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]

/** Tries after a lost connection before the transfer fails (about four minutes in all). */
export const MAX_RETRIES = RETRY_DELAYS_MS.length

/**
 * Whether a failure is the connection's (the peer went away, the network dropped, the host is
 * busy) rather than the transfer's own: only those are tried again by themselves.
 */
export function isConnectionLoss(err: unknown): boolean {
  if (err instanceof TransportError)
    return ['refused', 'timeout', 'unreachable', 'closed', 'silent'].includes(err.reason)
  if (err instanceof AppError) return err.code === 'NOT_CONNECTED'
  // 1450: the host refused the connection because it has too many.
  return err instanceof ProtocolError && err.code === 1450
}

/** The wait before try `n` (1-based). */
export function retryDelay(n: number): number {
  return RETRY_DELAYS_MS[Math.min(n, RETRY_DELAYS_MS.length) - 1]!
}
