import { shortFingerprint } from '../../shared/fingerprint.js'
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
  /** The server's certificate is not the one pinned for it. */
  | 'untrusted'
  /** Spoken to with TLS, the server answered in plain text: it serves plain TCP. */
  | 'not-tls'
  /**
   * A plain connection was closed before the server said a word, as a TLS server does with bytes
   * that are not a handshake (speaksTls() tells for sure).
   */
  | 'silent'

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

/**
 * The server presented another certificate than the one seen before: it may be another computer
 * pretending to be it. The person must compare and accept the new fingerprint explicitly.
 */
export class CertificateChangedError extends TransportError {
  constructor(
    where: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      'untrusted',
      `${where} presented a different certificate than before (fingerprint ${shortFingerprint(actual)}, expected ${shortFingerprint(expected)}). It may be another computer pretending to be it; connect only if you know why it changed.`,
    )
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
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
      return new TransportError(
        'not-tls',
        `${where} does not speak TLS (a plain server?); connect without encryption only if you trust the network`,
      )
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
