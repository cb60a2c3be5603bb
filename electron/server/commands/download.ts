import { formatDigest } from '../../../shared/protocol/index.js'
import type { CommandHandler } from './types.js'

export const download: CommandHandler<'download'> = async ([bucket, file], context) => {
  const download = await context.store.openForDownload(bucket, file)
  try {
    const digest = await context.transmit(download.chunks, download.size, download.sha256)
    await download.sent(digest)
    await context.write(formatDigest(digest))
    return { code: 900 }
  } finally {
    await download.close()
  }
}
