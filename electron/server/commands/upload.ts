import {
  formatDigest,
  parseSize,
  ProtocolError,
  quote,
  roleAllows,
} from '../../../shared/protocol/index.js'
import type { CommandHandler } from './types.js'

/**
 * Refusals come before `-> ready`, when the client has sent no bytes yet. Once ready, all `size`
 * bytes are read off the connection even if writing them fails, so the connection stays in step.
 * A code that may not replace files (a drop box) gets a same-name upload stored under a new name,
 * said after the status: `700 FUTBS stored as "homework (2).txt"`.
 */
export const upload: CommandHandler<'upload'> = async ([bucket, file, sizeText], context) => {
  const size = parseSize(sizeText)
  if (size === undefined)
    throw new ProtocolError(750, 'size must be a whole number of bytes, at most 2^53 - 1')
  const replace = roleAllows(context.grant.role, 'replace')
  const staged = await context.store.beginUpload(bucket, file, size, {
    by: context.actor,
    replace,
  })
  try {
    await context.receive(size, staged)
    const { sha256, name } = await staged.complete()
    await context.write(formatDigest(sha256))
    return name === file.normalize('NFC')
      ? { code: 700 }
      : { code: 700, detail: `stored as ${quote(name)}` }
  } finally {
    await staged.abort()
  }
}
