import { deleteBucket } from '../../storage/index.js'
import type { CommandHandler } from './types.js'

export const delete_b: CommandHandler<'delete_b'> = async ([bucket], { root }) => {
  await deleteBucket(root, bucket)
  return { code: 600 }
}
