import type { BridgeErrorCode } from '../../shared/ipc.js'

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
