import type { CommandHandler } from './types.js'

export const delete_b: CommandHandler<'delete_b'> = async ([bucket], { store }) => {
  await store.deleteBucket(bucket)
  return { code: 600 }
}
