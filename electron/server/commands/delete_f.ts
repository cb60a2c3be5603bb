import { deleteFile } from '../../storage/index.js'
import type { CommandHandler } from './types.js'

export const delete_f: CommandHandler<'delete_f'> = async ([bucket, file], { root }) => {
  await deleteFile(root, bucket, file)
  return { code: 1000 }
}
