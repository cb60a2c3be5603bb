import { formatBucketEntry, reaches } from '../../../shared/protocol/index.js'
import type { CommandHandler } from './types.js'

/** Only the buckets the access code reaches. */
export const ls_b: CommandHandler<'ls_b'> = async (_args, { store, write, grant }) => {
  for (const bucket of await store.listBuckets())
    if (reaches(grant.buckets, bucket.name)) await write(formatBucketEntry(bucket))
  return { code: 500 }
}
