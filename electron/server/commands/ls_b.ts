import { formatBucketEntry } from '../../../shared/protocol/index.js'
import type { CommandHandler } from './types.js'

export const ls_b: CommandHandler<'ls_b'> = async (_args, { store, write }) => {
  for (const bucket of await store.listBuckets()) await write(formatBucketEntry(bucket))
  return { code: 500 }
}
