import {
  arity,
  COMMANDS,
  isVerb,
  tokenize,
  type CommandSpec,
  type LineEvent,
  type Verb,
} from '../../shared/protocol/index.js'
import { printable } from './printable.js'

/** A line from the client, understood. */
export type Request =
  /** Nothing but spaces: ignored, not answered. */
  | { kind: 'blank' }
  /** Not a command: answered `400 BCMD <detail>`. */
  | { kind: 'bad'; label: string; detail: string }
  /** A known verb with an acceptable number of arguments. */
  | { kind: 'command'; label: string; verb: Verb; args: string[] }

/** Understands one line event; `label` is how the request appears in the server log. */
export function parseRequest(event: LineEvent): Request {
  if (event.kind === 'overflow')
    return { kind: 'bad', label: '(line too long)', detail: 'line too long' }
  if (event.kind === 'invalid')
    return { kind: 'bad', label: '(not UTF-8)', detail: 'line is not valid UTF-8' }
  const label = printable(event.text)
  const parsed = tokenize(event.text)
  if (!parsed.ok) return { kind: 'bad', label, detail: parsed.reason }
  const [word, ...args] = parsed.tokens
  if (word === undefined) return { kind: 'blank' }
  if (!isVerb(word))
    return { kind: 'bad', label, detail: `unknown command "${printable(word, 40)}"; type help` }
  const spec: CommandSpec = COMMANDS[word]
  // An access code, right or wrong, never reaches the log.
  const shown = spec.secret ? `${word} ***` : label
  const { min, max } = arity(word)
  if (args.length < min || args.length > max)
    return { kind: 'bad', label: shown, detail: `usage: ${spec.wire}` }
  return { kind: 'command', label: shown, verb: word, args }
}
