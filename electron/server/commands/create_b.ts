import type { CommandHandler } from './types.js'

export const create_b: CommandHandler<'create_b'> = async ([bucket], { store }) => {
  await store.createBucket(bucket)
  return { code: 300 }
}
