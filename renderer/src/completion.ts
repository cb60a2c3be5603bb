import { quote, splitTyped, VERBS } from '../../shared/protocol/index.js'

function commonPrefix(words: readonly string[]): string {
  return words.reduce((a, b) => {
    let i = 0
    while (i < a.length && a[i] === b[i]) i++
    return a.slice(0, i)
  })
}

/**
 * Tab completion in the Console tab: the first word completes to a command, later words to bucket
 * names (quoted when they need it, also while a quote is open). Completes to the longest common
 * prefix of the candidates, which are returned so the caller can show them when there are several.
 * The line is split as the server will read it (shared/protocol/tokens.ts).
 */
export function complete(
  line: string,
  buckets: readonly string[],
): { line: string; candidates: string[] } {
  const { done, partial, start } = splitTyped(line)
  const verb = done.length === 0
  const head = line.slice(0, start)
  const matches = (verb ? VERBS : buckets).filter((c) => c.startsWith(partial))
  const candidates = verb ? matches : matches.map(quote)
  if (matches.length === 0) return { line, candidates }
  if (matches.length === 1) return { line: `${head}${candidates[0]} `, candidates }
  const common = commonPrefix(matches)
  const quoted = !verb && (line[start] === '"' || quote(common) !== common)
  return { line: head + (quoted ? `"${common}` : common), candidates }
}
