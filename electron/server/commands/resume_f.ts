import {
  formatHeld,
  formatSame,
  parseSize,
  ProtocolError,
  roleAllows,
} from '../../../shared/protocol/index.js'
import type { CommandHandler } from './types.js'

/**
 * The receiver states what it holds (STYLE 15): the bytes of a cut upload of that size, kept on
 * disk, with their sha256, so the client can check they are its own before it sends the rest; and
 * the digest of a file of that size already there, so an identical file need not move at all.
 */
export const resume_f: CommandHandler<'resume_f'> = async ([bucket, file, sizeText], context) => {
  const size = parseSize(sizeText)
  if (size === undefined)
    throw new ProtocolError(1550, 'size must be a whole number of bytes, at most 2^53 - 1')
  const held = await context.store.held(bucket, file, size)
  // A reader (download only) is told no kept bytes: it cannot continue an upload.
  const partial = roleAllows(context.grant.role, 'upload') ? held.partial : undefined
  await context.write(formatHeld(partial?.bytes ?? 0, partial?.sha256 ?? EMPTY_SHA256))
  // A drop box (upload only) sees no files: it is not told what is there.
  if (held.same && roleAllows(context.grant.role, 'download'))
    await context.write(formatSame(held.same))
  return { code: 1500 }
}

/** The sha256 of no bytes. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
