import {
  formatDigest,
  formatVersion,
  parseSize,
  ProtocolError,
} from '../../../shared/protocol/index.js'
import type { CommandHandler } from './types.js'

/**
 * Sends a file whole, or from a byte on (a client continuing a cut download), then given only when
 * the file is still the version the client started with. The digest is always the whole file's.
 */
export const download: CommandHandler<'download'> = async (
  [bucket, file, fromText, version],
  context,
) => {
  const from = fromText === undefined ? 0 : parseSize(fromText)
  if (from === undefined) throw new ProtocolError(1550, 'from byte must be a whole number')
  const download = await context.store.openForDownload(bucket, file, from)
  try {
    if (fromText !== undefined) {
      if (version !== undefined && version !== download.version)
        throw new ProtocolError(1550, 'the file changed; start from 0')
      await context.write(formatVersion(download.version))
    }
    const known = download.sha256 ?? (from > 0 ? await download.prefix() : undefined)
    const digest = await context.transmit(download.chunks, download.size, known)
    await download.sent(digest)
    await context.write(formatDigest(digest))
    return { code: 900, ...(from > 0 ? { note: `resumed at ${from}` } : {}) }
  } finally {
    await download.close()
  }
}
