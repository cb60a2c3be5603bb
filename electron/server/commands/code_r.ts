import { codeLines } from '../../../shared/protocol/index.js'
import type { CommandHandler } from './types.js'

export const code_r: CommandHandler<'code_r'> = async (_args, { write }) => {
  for (const line of codeLines()) await write(line)
  return { code: 100 }
}
