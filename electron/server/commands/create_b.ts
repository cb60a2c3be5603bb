import { createBucket } from '../../storage/index.js'
import type { CommandHandler } from './types.js'

export const create_b: CommandHandler<'create_b'> = async ([bucket], { root }) => {
  await createBucket(root, bucket)
  return { code: 300 }
}
