import {
  arity,
  COMMANDS,
  isVerb,
  shownLine,
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
  // An access code, right or wrong, in a well-formed line or not, never reaches the log.
  const shown = shownLine(event.text)
  const label = printable(shown)
  const parsed = tokenize(event.text)
  if (!parsed.ok) return { kind: 'bad', label, detail: parsed.reason }
  const [word, ...args] = parsed.tokens
  if (word === undefined) return { kind: 'blank' }
  if (!isVerb(word)) {
    // The answer is logged too: it names the word only as far as it may be shown.
    const named = shown === event.text ? word : shown.replace(/ \*\*\*$/, '')
    return { kind: 'bad', label, detail: `unknown command "${printable(named, 40)}"; type help` }
  }
  const spec: CommandSpec = COMMANDS[word]
  const { min, max } = arity(word)
  if (args.length < min || args.length > max)
    return { kind: 'bad', label, detail: `usage: ${spec.wire}` }
  return { kind: 'command', label, verb: word, args }
}
