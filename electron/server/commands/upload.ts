import { formatDigest, parseSize, ProtocolError } from '../../../shared/protocol/index.js'
import type { CommandHandler } from './types.js'

/**
 * Refusals come before `-> ready`, when the client has sent no bytes yet. Once ready, all `size`
 * bytes are read off the connection even if writing them fails, so the connection stays in step.
 */
export const upload: CommandHandler<'upload'> = async ([bucket, file, sizeText], context) => {
  const size = parseSize(sizeText)
  if (size === undefined)
    throw new ProtocolError(750, 'size must be a whole number of bytes, at most 2^53 - 1')
  const staged = await context.store.beginUpload(bucket, file, size)
  try {
    await context.receive(size, staged)
    const digest = await staged.complete()
    await context.write(formatDigest(digest))
    return { code: 700 }
  } finally {
    await staged.abort()
  }
}
