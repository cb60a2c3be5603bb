/**
 * Browser mode:
 *   npm run ui -- [--port 4568]
 * Serves the app's interface to a browser on this computer, with the same features as the desktop
 * app (hosting, connecting, both tabs). Open the printed address; it carries the session's token.
 */
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Command } from 'commander'
import open from 'open'
import { AppCore } from '../app/index.js'
import { listenPortArgument } from '../cli/arguments.js'
import { startWebUi } from './server.js'

const DEFAULT_UI_PORT = 4568

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const { version } = createRequire(import.meta.url)('../../package.json') as { version: string }

const program = new Command()
  .name('npm run ui --')
  .description('Serve the BucketShare interface to a browser on this computer.')
  .option(
    '-p, --port <port>',
    'port of the page (loopback only); 0 picks a free one',
    listenPortArgument,
    DEFAULT_UI_PORT,
  )
  .option('--settings-dir <folder>', 'where to keep settings (default: your config folder)')
  .option('--cwd <folder>', 'where relative paths typed in the Console tab start', process.cwd())
  .option('--open', 'open the address in the default browser, when there is one', false)
  .showHelpAfterError()
  .parse()
const options = program.opts<{ port: number; settingsDir?: string; cwd: string; open: boolean }>()

/** Whether a browser window can be opened here: on Linux only with a display to open it on. */
function canOpenBrowser(): boolean {
  return process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY)
}

const core = new AppCore({
  version,
  cwd: options.cwd,
  browserBytes: true,
  ...(options.settingsDir ? { settingsDir: options.settingsDir } : {}),
})
const ui = await startWebUi({
  core,
  staticDir: path.join(root, 'out/renderer'),
  port: options.port,
}).catch((err: NodeJS.ErrnoException) => {
  console.error(
    `error: cannot listen on 127.0.0.1:${options.port}: ${err.code === 'EADDRINUSE' ? 'the port is in use (try --port 0)' : err.message}`,
  )
  process.exit(1)
})
console.log(
  `BucketShare is ready. Open this address in a browser on this computer:\n\n  ${ui.url}\n`,
)
console.log('Press Ctrl-C to stop (hosting stops too).')
// Where no browser opens, the printed address is the way in; a failure to open is not an error.
if (options.open && canOpenBrowser()) void open(ui.url).catch(() => undefined)

const stop = (): void => {
  process.once('SIGINT', () => process.exit(130))
  void core
    .shutdown()
    .then(() => ui.close())
    .then(() => process.exit(0))
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
