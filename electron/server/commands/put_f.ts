import type { CommandHandler } from './types.js'
import { upload } from './upload.js'

/**
 * An upload whose bytes followed the line at once: the same as `upload` from byte 0, but the
 * session sends no `-> ready` and discards the bytes of a refusal (Session.receive).
 */
export const put_f: CommandHandler<'put_f'> = ([bucket, file, size], context) =>
  upload([bucket, file, size, undefined, undefined], context)
