import { formatData } from '../../../shared/protocol/index.js'
import { folderVersion } from '../../storage/index.js'
import type { CommandHandler } from './types.js'

export const changes: CommandHandler<'changes'> = async (_args, { root, write }) => {
  await write(formatData(await folderVersion(root)))
  return { code: 1600 }
}
