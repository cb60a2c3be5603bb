import {
  announcesBytes,
  arity,
  COMMANDS,
  isVerb,
  shownLine,
  tokenize,
  type CommandSpec,
  type Code,
  type LineEvent,
  type Verb,
  parseSize,
} from '../../shared/protocol/index.js'
import { printable } from './printable.js'

/** A line from the client, understood. */
export type Request =
  /** Nothing but spaces: ignored, not answered. */
  | { kind: 'blank' }
  /**
   * Not a command: answered `400 BCMD <detail>` (or `code`). `adrift`: it announced raw bytes
   * whose end cannot be known, so the connection is closed after the answer.
   */
  | { kind: 'bad'; label: string; detail: string; code?: Code; adrift?: true }
  /**
   * A known verb with an acceptable number of arguments; `bytes`: how many raw bytes follow the
   * line, for a verb whose bytes follow at once.
   */
  | { kind: 'command'; label: string; verb: Verb; args: string[]; bytes?: number }

/** Marks a bad line that announced bytes (`put_f …`): the stream cannot be followed after it. */
const adrift = (request: Extract<Request, { kind: 'bad' }>, start: string): Request =>
  announcesBytes(start) ? { ...request, adrift: true } : request

const SIZE_RULE = 'size must be a whole number of bytes, at most 2^53 - 1'

/** Understands one line event; `label` is how the request appears in the server log. */
export function parseRequest(event: LineEvent): Request {
  if (event.kind === 'overflow')
    return adrift({ kind: 'bad', label: '(line too long)', detail: 'line too long' }, event.head)
  if (event.kind === 'invalid')
    return adrift(
      { kind: 'bad', label: '(not UTF-8)', detail: 'line is not valid UTF-8' },
      event.head,
    )
  // An access code, right or wrong, in a well-formed line or not, never reaches the log.
  const shown = shownLine(event.text)
  const label = printable(shown)
  const parsed = tokenize(event.text)
  if (!parsed.ok) return adrift({ kind: 'bad', label, detail: parsed.reason }, event.text)
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
    return adrift({ kind: 'bad', label, detail: `usage: ${spec.wire}` }, word)
  if (!spec.bytesFollow) return { kind: 'command', label, verb: word, args }
  const bytes = parseSize(args[spec.args.indexOf('size')] ?? '')
  if (bytes === undefined)
    return { kind: 'bad', label, detail: SIZE_RULE, code: spec.failure ?? 400, adrift: true }
  return { kind: 'command', label, verb: word, args, bytes }
}
