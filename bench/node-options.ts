import { readFileSync } from 'node:fs'

/** The options `npm run server` gives Node (package.json: `node <options> scripts/cli.mjs server`). */
export function serverNodeOptions(): string[] {
  const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as {
    scripts: Record<string, string>
  }
  const words = scripts.server!.split(/\s+/)
  return words.slice(1, words.indexOf('scripts/cli.mjs'))
}
