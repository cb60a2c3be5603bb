import { formatData } from '../../../shared/protocol/index.js'
import type { CommandHandler } from './types.js'

export const changes: CommandHandler<'changes'> = async (_args, { store, write }) => {
  await write(formatData(await store.version()))
  return { code: 1600 }
}
