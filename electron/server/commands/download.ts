import { formatDigest } from '../../../shared/protocol/index.js'
import { openForDownload } from '../../storage/index.js'
import type { CommandHandler } from './types.js'

export const download: CommandHandler<'download'> = async ([bucket, file], context) => {
  const { size, stream } = await openForDownload(context.root, bucket, file)
  try {
    const digest = await context.transmit(stream, size)
    await context.write(formatDigest(digest))
    return { code: 900 }
  } finally {
    stream.destroy()
  }
}
