import type { CommandHandler } from './types.js'

export const create_b: CommandHandler<'create_b'> = async ([bucket, folder], { store }) => {
  if (folder === undefined) await store.createBucket(bucket)
  else await store.createFolder(bucket, folder)
  return { code: 300 }
}
