import { codeLabel, codeMeaning, type Code } from './codes.js'

/**
 * A failure answered by the server with a protocol code (e.g. 350 BCF). The session stays usable.
 * `detail` is the server's explanation, when it sent one.
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError'
  readonly meaning: string

  constructor(
    readonly code: Code,
    readonly detail = '',
  ) {
    super(`${codeLabel(code)} (${codeMeaning(code)})${detail ? `: ${detail}` : ''}`)
    this.meaning = codeMeaning(code)
  }
}
