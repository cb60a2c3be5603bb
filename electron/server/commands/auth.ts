import { ProtocolError } from '../../../shared/protocol/index.js'
import type { CommandHandler } from './types.js'

export const auth: CommandHandler<'auth'> = async ([code], { authenticate }) => {
  const check = await authenticate(code)
  if (!check.ok) throw new ProtocolError(1150, check.reason)
  return { code: 1100 }
}
