import type { CommandHandler } from './types.js'

export const delete_b: CommandHandler<'delete_b'> = async ([bucket], { store, actor }) => {
  await store.deleteBucket(bucket, actor)
  return { code: 600 }
}
