/**
 * Splitting a command line into arguments, and quoting arguments back. Arguments are separated by
 * spaces or tabs. An argument containing spaces is written in double quotes; inside double quotes
 * `\"` stands for a quote and `\\` for a backslash, every other character (a backslash before
 * anything else included) stands for itself. Outside quotes every character but space, tab and `"`
 * stands for itself, so Windows paths such as C:\Users\me\a.txt need no escaping. Quoted and bare
 * parts next to each other join into one argument (`my" "file` is `my file`).
 */
export type TokenizeResult = { ok: true; tokens: string[] } | { ok: false; reason: string }

export function tokenize(line: string): TokenizeResult {
  const scanned = scan(line)
  return scanned.open
    ? { ok: false, reason: 'unterminated quote' }
    : { ok: true, tokens: scanned.tokens }
}

/**
 * A line being typed, split for completion: the arguments already finished, and the one under way
 * (empty after a space) with the offset where it starts, its opening quote included.
 */
export function splitTyped(line: string): { done: string[]; partial: string; start: number } {
  const { tokens, starts, open } = scan(line)
  const ended = !open && (line === '' || line.endsWith(' ') || line.endsWith('\t'))
  if (ended || tokens.length === 0) return { done: tokens, partial: '', start: line.length }
  return { done: tokens.slice(0, -1), partial: tokens.at(-1)!, start: starts.at(-1)! }
}

/** The arguments, where each starts, and whether the line ends inside an unclosed quote. */
function scan(line: string): { tokens: string[]; starts: number[]; open: boolean } {
  const tokens: string[] = []
  const starts: number[] = []
  let current = ''
  let inToken = false
  let i = 0
  const begin = (): void => {
    if (!inToken) starts.push(i)
    inToken = true
  }
  while (i < line.length) {
    const ch = line[i]!
    if (ch === ' ' || ch === '\t') {
      if (inToken) tokens.push(current)
      current = ''
      inToken = false
      i++
    } else if (ch === '"') {
      begin()
      i++
      let closed = false
      while (i < line.length) {
        const q = line[i]!
        if (q === '"') {
          closed = true
          i++
          break
        }
        if (q === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) {
          current += line[i + 1]
          i += 2
        } else {
          current += q
          i++
        }
      }
      if (!closed) {
        tokens.push(current)
        return { tokens, starts, open: true }
      }
    } else {
      begin()
      current += ch
      i++
    }
  }
  if (inToken) tokens.push(current)
  return { tokens, starts, open: false }
}

/** Writes one argument so that `tokenize` gives it back unchanged. */
export function quote(arg: string): string {
  if (arg.length > 0 && !/[\s"]/u.test(arg)) return arg
  return `"${arg.replace(/[\\"]/g, (c) => `\\${c}`)}"`
}

/** A command line from a verb and its arguments, each quoted as needed. */
export function formatCommand(verb: string, args: readonly (string | number)[] = []): string {
  return [verb, ...args.map((a) => quote(String(a)))].join(' ')
}

/** The first word of a command line (its verb), or undefined for a blank or unreadable line. */
export function verbOf(line: string): string | undefined {
  const parsed = tokenize(line)
  return parsed.ok ? parsed.tokens[0] : undefined
}
