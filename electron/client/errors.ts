export { ProtocolError } from '../../shared/protocol/index.js'

/** Why a connection failed, for callers that react differently (e.g. offer a retry on `refused`). */
export type TransportReason =
  | 'refused'
  | 'timeout'
  | 'unreachable'
  | 'closed'
  /** The server said something this client cannot understand: the session is out of step. */
  | 'protocol'
  /** The transferred bytes do not match the sha256 the other side reported. */
  | 'integrity'
  | 'cancelled'

/**
 * The connection failed or was closed: no protocol answer will come. Once a connection has failed,
 * every later call on it reports this first cause.
 */
export class TransportError extends Error {
  override readonly name = 'TransportError'

  constructor(
    readonly reason: TransportReason,
    message: string,
  ) {
    super(message)
  }
}

/** A socket error as a sentence a person understands. */
export function transportErrorOf(err: NodeJS.ErrnoException, where: string): TransportError {
  switch (err.code) {
    case 'ECONNREFUSED':
      return new TransportError('refused', `${where} refused the connection (is a server running?)`)
    case 'ETIMEDOUT':
      return new TransportError('timeout', `${where} did not answer in time`)
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new TransportError('unreachable', `${where}: unknown host`)
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return new TransportError('unreachable', `${where} cannot be reached from this network`)
    case 'ECONNRESET':
    case 'EPIPE':
      return new TransportError('closed', `${where} dropped the connection`)
    default:
      return new TransportError(
        'closed',
        `${where}: connection failed (${err.code ?? err.message})`,
      )
  }
}
