import { quote, VERBS } from '../../shared/protocol/index.js'

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
 */
export function complete(
  line: string,
  buckets: readonly string[],
): { line: string; candidates: string[] } {
  const openQuote = (line.match(/"/g) ?? []).length % 2 === 1
  const start = openQuote ? line.lastIndexOf('"') : line.lastIndexOf(' ') + 1
  const head = line.slice(0, start)
  const typed = line.slice(start).replace(/^"/, '')
  const pool = start === 0 ? VERBS : buckets
  const matches = pool.filter((c) => c.startsWith(typed))
  const candidates = start === 0 ? matches : matches.map(quote)
  if (matches.length === 0) return { line, candidates }
  if (matches.length === 1)
    return { line: `${head}${start === 0 ? matches[0] : candidates[0]} `, candidates }
  const common = commonPrefix(matches)
  const quoted = start > 0 && (openQuote || quote(common) !== common)
  return { line: head + (quoted ? `"${common}` : common), candidates }
}
