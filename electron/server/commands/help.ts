import { helpLines, isVerb, ProtocolError } from '../../../shared/protocol/index.js'
import { printable } from '../printable.js'
import type { CommandHandler } from './types.js'

export const help: CommandHandler<'help'> = async ([topic], { write }) => {
  if (topic !== undefined && !isVerb(topic))
    throw new ProtocolError(400, `no command "${printable(topic, 40)}"; type help`)
  for (const line of helpLines(topic)) await write(line)
  return { code: 100 }
}
