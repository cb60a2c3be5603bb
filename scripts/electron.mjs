/**
 * Whether the desktop app can run here, and getting Electron's binary. The binary is downloaded by
 * our own install step rather than by Electron's (denied in package.json's allowScripts), so an
 * install completes where the download cannot happen; `npm start` then falls back to browser mode.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { ROOT } from './build-cli.mjs'

const require = createRequire(path.join(ROOT, 'package.json'))

/** The Electron executable, or undefined when it is not installed. */
export function electronBinary() {
  try {
    const binary = require('electron')
    return typeof binary === 'string' && fs.existsSync(binary) ? binary : undefined
  } catch {
    return undefined
  }
}

/** Why the desktop app cannot start here, or undefined when it can. */
export function whyNoDesktop() {
  if (!electronBinary())
    return "Electron's binary is not installed (npm install could not download it)"
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return 'there is no display to open a window on (DISPLAY is not set)'
  return undefined
}

/**
 * Downloads Electron's binary with Electron's own installer when it is missing. Returns undefined
 * when it is there, or the reason it is not (the installer's error in one line).
 */
export function installElectron() {
  if (electronBinary()) return undefined
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return 'ELECTRON_SKIP_BINARY_DOWNLOAD is set'
  let installer
  try {
    installer = require.resolve('electron/install.js')
  } catch {
    return 'the electron package is not installed'
  }
  const run = spawnSync(process.execPath, [installer], {
    cwd: path.dirname(installer),
    encoding: 'utf8',
  })
  if (run.status === 0 && electronBinary()) return undefined
  const message = `${run.stderr ?? ''}${run.error?.message ?? ''}`
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line !== '' && !line.startsWith('at '))
  return (message ?? `its installer exited with ${run.status}`).replace(/^\w*Error: /, '')
}
