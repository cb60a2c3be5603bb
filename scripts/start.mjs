/**
 * `npm start`: the desktop app (electron-vite's development mode) where Electron can run; where it
 * cannot, browser mode, saying why, printing the address and opening the default browser.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { buildPrograms, buildRenderer, bundlePath, ROOT } from './build-cli.mjs'
import { whyNoDesktop } from './electron.mjs'

const args = process.argv.slice(2)
const reason = whyNoDesktop()
if (!reason) {
  const dev = spawn(
    process.execPath,
    [path.join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'dev', ...args],
    { cwd: ROOT, stdio: 'inherit' },
  )
  dev.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
} else {
  console.log(`Starting in browser mode: ${reason}.`)
  await buildPrograms(['ui'])
  if (!buildRenderer()) process.exit(1)
  process.argv = [process.argv[0], bundlePath('ui'), '--open', ...args]
  await import(bundlePath('ui'))
}
