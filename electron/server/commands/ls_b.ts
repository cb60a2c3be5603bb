import { formatBucketEntry } from '../../../shared/protocol/index.js'
import { listBuckets } from '../../storage/index.js'
import type { CommandHandler } from './types.js'

export const ls_b: CommandHandler<'ls_b'> = async (_args, { root, write }) => {
  for (const bucket of await listBuckets(root)) await write(formatBucketEntry(bucket))
  return { code: 500 }
}
