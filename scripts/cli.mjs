/**
 * Runs one of the command-line programs from its bundle: `node scripts/cli.mjs <server|client|ui> …`
 * (what `npm run server|client|ui` do). Rebuilds it first when a source changed since.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { buildRenderer, bundlePath, needsBuild, PROGRAMS } from './build-cli.mjs'

const name = process.argv[2]
if (!(name in PROGRAMS)) {
  console.error(`usage: node scripts/cli.mjs <${Object.keys(PROGRAMS).join('|')}> [arguments]`)
  process.exit(2)
}
// In a process of its own: the program's memory then never holds the bundler, nor its service
// process, whether or not this start had to rebuild.
if (needsBuild(name)) {
  const builder = fileURLToPath(new URL('./build-cli.mjs', import.meta.url))
  if (spawnSync(process.execPath, [builder, name], { stdio: 'inherit' }).status !== 0)
    process.exit(1)
}
if (name === 'ui' && !buildRenderer()) process.exit(1)
// The program reads its own arguments from process.argv, as if started directly.
process.argv.splice(1, 2, bundlePath(name))
await import(bundlePath(name))
