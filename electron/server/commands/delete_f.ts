import type { CommandHandler } from './types.js'

export const delete_f: CommandHandler<'delete_f'> = async ([bucket, file], { store }) => {
  await store.deleteFile(bucket, file)
  return { code: 1000 }
}
