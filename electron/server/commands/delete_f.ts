import type { CommandHandler } from './types.js'

export const delete_f: CommandHandler<'delete_f'> = async ([bucket, file], { store, actor }) => {
  await store.deleteFile(bucket, file, actor)
  return { code: 1000 }
}
