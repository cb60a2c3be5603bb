import type { BridgeError, BridgeErrorCode } from '../../shared/ipc.js'
import { LocalFileError, ProtocolError, TransportError } from '../client/index.js'
import { CertificateError, SetupError, StoreError } from '../server/index.js'

/** A failure of the app itself (not of the protocol), with a message fit to show a person. */
export class AppError extends Error {
  override readonly name = 'AppError'

  constructor(
    readonly code: Exclude<BridgeErrorCode, number>,
    message: string,
  ) {
    super(message)
  }
}

/**
 * The one mapper from any failure to what the renderer may learn of it: a code and a sentence,
 * nothing internal. Requests, transfer rows, console entries, the connection's and the host's
 * states all go through it.
 */
export function bridgeErrorOf(err: unknown): BridgeError {
  if (err instanceof ProtocolError)
    return { code: err.code, message: err.detail ? `${err.meaning}: ${err.detail}` : err.meaning }
  if (err instanceof TransportError)
    return { code: err.reason === 'untrusted' ? 'CERTIFICATE' : 'TRANSPORT', message: err.message }
  if (err instanceof CertificateError) return { code: 'CERTIFICATE', message: err.message }
  if (err instanceof SetupError) return { code: 'HOST', message: err.message }
  // The host's own storage, asked through the Host panel (e.g. restoring from its trash).
  if (err instanceof StoreError) return { code: 'HOST', message: err.reason }
  if (err instanceof AppError) return { code: err.code, message: err.message }
  if (err instanceof LocalFileError) return { code: 'LOCAL_FILE', message: err.message }
  console.error(err)
  return { code: 'INTERNAL', message: 'Something went wrong inside BucketShare' }
}
