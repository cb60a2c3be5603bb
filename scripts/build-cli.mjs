/**
 * The command-line programs (`npm run server`, `npm run client`, `npm run ui`, browser mode under
 * `npm start`) run as JavaScript bundled by esbuild into out/cli/, not as TypeScript transpiled at
 * every start: they start in a fraction of the time and hold less memory. Built after `npm install`
 * and again by the launcher whenever a source is newer than the bundle, so a `git pull` or an edit
 * never runs stale code. Plain JavaScript: it must run before anything is built.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** Each program and its entry point. */
export const PROGRAMS = {
  server: 'electron/cli/server.ts',
  client: 'electron/cli/client.ts',
  ui: 'electron/web/cli.ts',
}

/**
 * What the Node side's bundles are made of: a change in any of these rebuilds them. The lock file
 * stands for the dependencies bundled in (npm install rebuilds anyway).
 */
const NODE_SOURCES = [
  'electron',
  'shared',
  'package.json',
  'package-lock.json',
  'scripts/build-cli.mjs',
]
/** What the interface served by browser mode is made of. */
const RENDERER_SOURCES = [
  'renderer',
  'shared',
  'package.json',
  'package-lock.json',
  'electron.vite.config.ts',
]
const RENDERER_OUTPUT = path.join(ROOT, 'out/renderer/index.html')

/** The bundle of a program. */
export function bundlePath(name) {
  return path.join(ROOT, 'out/cli', `${name}.mjs`)
}

/** The newest modification time among files under the given paths (0 when there are none). */
function newest(paths) {
  let latest = 0
  const visit = (file) => {
    let stat
    try {
      stat = fs.statSync(file)
    } catch {
      return
    }
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(file)) visit(path.join(file, entry))
    } else latest = Math.max(latest, stat.mtimeMs)
  }
  for (const p of paths) visit(path.join(ROOT, p))
  return latest
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs
  } catch {
    return -1
  }
}

/** Whether `output` is missing or older than a file under `sources`. */
function stale(output, sources) {
  return mtime(output) < newest(sources)
}

/** Whether a program's bundle is missing or older than a source. */
export function needsBuild(name) {
  return stale(bundlePath(name), NODE_SOURCES)
}

/**
 * Bundles the programs that are missing or stale, or all of them with `force` (after an install,
 * which may have changed a dependency without touching a file we watch). Each bundle is written
 * to a temporary file and renamed into place, so two launchers building at once never run a
 * half-written file.
 */
export async function buildPrograms(names = Object.keys(PROGRAMS), { force = false } = {}) {
  const wanted = names.filter((name) => force || needsBuild(name))
  if (wanted.length === 0) return
  const { build } = await import('esbuild')
  for (const name of wanted) {
    const out = bundlePath(name)
    const result = await build({
      entryPoints: { [name]: path.join(ROOT, PROGRAMS[name]) },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Dependencies too: one file to read and compile instead of hundreds of modules to resolve
      // (a third of the start-up time). ws's optional native helpers stay optional; the S3 SDK,
      // as large as all the rest, is loaded from node_modules only by a host on an object store;
      // koffi (a native module, electron/server/allocator.ts) cannot be bundled.
      external: ['bufferutil', 'utf-8-validate', '@aws-sdk/client-s3', 'koffi'],
      // What a program imports only when it needs it (a certificate maker, a QR code, mDNS) goes
      // into chunks of its own: a program never parses nor holds in memory what it does not use.
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      outExtension: { '.js': '.mjs' },
      // Bundled CommonJS dependencies call require(); an ES module has none of its own.
      banner: {
        js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
      },
      write: false,
      outdir: path.dirname(out),
      logLevel: 'error',
    })
    // The program's own file last: whoever runs it finds every chunk it names already there.
    const files = result.outputFiles.sort((a, b) => (a.path === out) - (b.path === out))
    for (const file of files) {
      fs.mkdirSync(path.dirname(file.path), { recursive: true })
      const temp = `${file.path}.${process.pid}.tmp`
      fs.writeFileSync(temp, file.contents)
      fs.renameSync(temp, file.path)
    }
  }
}

/**
 * Builds the interface browser mode serves when it is missing or stale, saying so unless `quiet`
 * (during npm install, which has its own progress); returns false on failure.
 */
export function buildRenderer({ quiet = false, force = false } = {}) {
  if (!force && !stale(RENDERER_OUTPUT, RENDERER_SOURCES)) return true
  if (!quiet) console.log('Building the interface (once after each change)…')
  const run = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'),
      'build',
      '--logLevel',
      'warn',
    ],
    { cwd: ROOT, stdio: 'inherit' },
  )
  return run.status === 0
}

// `node scripts/build-cli.mjs <program>…`: what the launcher runs to rebuild a stale bundle.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  await buildPrograms(process.argv.slice(2))
