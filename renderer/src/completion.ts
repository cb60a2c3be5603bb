import { quote, VERBS } from '../../shared/protocol/index.js'

/**
 * Tab completion in the Console tab: the first word completes to a command, later words to bucket
 * names (quoted when needed). Completes to the longest common prefix of the candidates; returns
 * the candidates so the caller can show them when there are several.
 */
export function complete(
  line: string,
  buckets: readonly string[],
): { line: string; candidates: string[] } {
  const start = line.lastIndexOf(' ') + 1
  const word = line.slice(start)
  const pool = start === 0 ? VERBS : buckets.map(quote)
  const candidates = pool.filter((c) => c.startsWith(word))
  if (candidates.length === 0) return { line, candidates }
  const common = candidates.reduce((a, b) => {
    let i = 0
    while (i < a.length && a[i] === b[i]) i++
    return a.slice(0, i)
  })
  const suffix = candidates.length === 1 ? ' ' : ''
  return { line: line.slice(0, start) + common + suffix, candidates }
}
