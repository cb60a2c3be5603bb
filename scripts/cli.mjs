/**
 * Runs one of the command-line programs from its bundle: `node scripts/cli.mjs <server|client|ui> …`
 * (what `npm run server|client|ui` do). Rebuilds it first when a source changed since.
 */
import { buildPrograms, buildRenderer, bundlePath, PROGRAMS } from './build-cli.mjs'

const name = process.argv[2]
if (!(name in PROGRAMS)) {
  console.error(`usage: node scripts/cli.mjs <${Object.keys(PROGRAMS).join('|')}> [arguments]`)
  process.exit(2)
}
await buildPrograms([name])
if (name === 'ui' && !buildRenderer()) process.exit(1)
// The program reads its own arguments from process.argv, as if started directly.
process.argv.splice(1, 2, bundlePath(name))
await import(bundlePath(name))
