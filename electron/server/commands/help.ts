import { helpLines, isVerb, ProtocolError } from '../../../shared/protocol/index.js'
import { NOT_ALLOWED } from '../permissions.js'
import { printable } from '../printable.js'
import type { CommandHandler } from './types.js'

/** Shows only what the session's access code may do. */
export const help: CommandHandler<'help'> = async ([topic], { write, mayRun }) => {
  if (topic !== undefined && !isVerb(topic))
    throw new ProtocolError(400, `no command "${printable(topic, 40)}"; type help`)
  if (topic !== undefined && !mayRun(topic))
    throw new ProtocolError(400, `${topic}: ${NOT_ALLOWED}`)
  for (const line of helpLines(topic, mayRun)) await write(line)
  return { code: 100 }
}
