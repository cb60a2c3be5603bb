import { formatBucketEntry, reaches, roleAllows } from '../../../shared/protocol/index.js'
import type { CommandHandler } from './types.js'

/**
 * Only the buckets the access code reaches. A code that may not list files (drop) sees every count
 * as 0: a count would tell it what others uploaded.
 */
export const ls_b: CommandHandler<'ls_b'> = async (_args, { store, write, grant }) => {
  const counted = roleAllows(grant.role, 'list')
  for (const bucket of await store.listBuckets())
    if (reaches(grant.buckets, bucket.name))
      await write(formatBucketEntry(counted ? bucket : { ...bucket, files: 0 }))
  return { code: 500 }
}
