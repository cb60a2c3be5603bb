import fs from 'node:fs/promises'
import path from 'node:path'
import { quote } from '../../shared/protocol/index.js'
import { processCpu, runMeasured } from '../cpu.js'
import type { ServerProcess } from '../context.js'
import type { Peer } from './peer.js'

/**
 * The command `npm run client` runs, as package.json says, with npm's PATH: the bench times the
 * terminal client as a person starts it (its start-up included, as curl's is), minus npm itself.
 */
async function clientCommand(): Promise<string> {
  const manifest = JSON.parse(await fs.readFile('package.json', 'utf8')) as {
    scripts: Record<string, string>
  }
  const script = manifest.scripts.client
  if (!script) throw new Error('package.json has no "client" script')
  return script
}

/**
 * Our terminal client end to end against a bucket server process: one scripted session per
 * transfer (`upload …` or `download …`, then the end of its input), checked by its exit code.
 */
export async function cliPeer(
  label: string,
  server: ServerProcess,
  options: { root: string; tls: boolean; dataDir: string; local: string },
): Promise<Peer> {
  const command = `${await clientCommand()} 127.0.0.1 ${server.port} ${
    options.tls ? `--data-dir ${quote(options.dataDir)}` : '--plain'
  }`
  const env = {
    ...process.env,
    PATH: `${path.resolve('node_modules/.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
  }
  const session = async (line: string) =>
    (await runMeasured(command, { input: `${line}\n`, env })).cpu
  let n = 0
  return {
    label,
    note: 'SHA-256 both ends; fsync before 700',
    upload: (file, name) => ({
      written: path.join(options.root, 'large', name),
      run: () => session(`upload ${quote(file)} ${quote(name)} large`),
    }),
    download: () => {
      // A folder of its own, so the file keeps the server's name, whatever the client's rule for
      // a destination that is not a folder.
      const folder = path.join(options.local, `cli-${++n}`)
      return {
        written: path.join(folder, 'large.bin'),
        run: async () => {
          await fs.mkdir(folder, { recursive: true })
          return session(`download large large.bin ${quote(folder)}`)
        },
      }
    },
    serverCpu: () => processCpu(server.pid),
    stop: async () => undefined,
  }
}
