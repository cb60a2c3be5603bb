import {
  formatDigest,
  parseSize,
  ProtocolError,
  quote,
  roleAllows,
} from '../../../shared/protocol/index.js'
import type { HeldBytes } from '../../storage/index.js'
import { ConnectionLost } from '../failures.js'
import type { CommandHandler } from './types.js'

/**
 * Refusals come before `-> ready`, when the client has sent no bytes yet. Once ready, all the bytes
 * announced are read off the connection even if writing them fails, so the connection stays in
 * step. A cut upload's bytes are kept for an upload naming them (`<held bytes> <their sha256>`,
 * as `resume_f` reported them) to continue. A code that may not replace files (a drop box) gets a
 * same-name upload stored under a new name, said after the status:
 * `700 FUTBS stored as "homework (2).txt"`.
 */
export const upload: CommandHandler<'upload'> = async (
  [bucket, file, sizeText, heldText, heldSha256],
  context,
) => {
  const size = parseSize(sizeText)
  if (size === undefined)
    throw new ProtocolError(750, 'size must be a whole number of bytes, at most 2^53 - 1')
  const held = heldBytes(heldText, heldSha256)
  const replace = roleAllows(context.grant.role, 'replace')
  const staged = await context.store.beginUpload(
    bucket,
    file,
    size,
    { by: context.actor, replace },
    held,
  )
  try {
    await context.receive(staged.rest, staged)
    const { sha256, name } = await staged.complete()
    await context.write(formatDigest(sha256))
    const note = staged.offset > 0 ? { note: `resumed at ${staged.offset}` } : {}
    return name === file.normalize('NFC')
      ? { code: 700, ...note }
      : { code: 700, detail: `stored as ${quote(name)}`, ...note }
  } catch (err) {
    if (err instanceof ConnectionLost) {
      const kept = await staged.keep()
      if (kept > 0) context.log(`upload of ${size} bytes cut: ${kept} bytes kept to continue from`)
    }
    throw err
  } finally {
    await staged.abort()
  }
}

function heldBytes(bytes: string | undefined, sha256: string | undefined): HeldBytes | undefined {
  if (bytes === undefined) return undefined
  const n = parseSize(bytes)
  if (n === undefined) throw new ProtocolError(1550, 'held bytes must be a whole number')
  if (n === 0) return { bytes: 0, sha256: '' }
  if (sha256 === undefined || !/^[0-9a-f]{64}$/.test(sha256))
    throw new ProtocolError(1550, 'give the sha256 of the held bytes, in lower-case hex')
  return { bytes: n, sha256 }
}
