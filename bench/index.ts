/**
 * `npm run bench`: a real server on a temporary folder on 127.0.0.1, driven by the real client
 * library, measured against a minimal socket pipe in the same run. Prints a table and writes JSON.
 * Fails (exit 1) only when transferred bytes are not intact; speed is reported, not enforced.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Command, InvalidArgumentError } from 'commander'
import { bundleServer, IntegrityError, startServerProcess, type ServerProcess } from './context.js'
import { startPeers } from './peers/index.js'
import { printTable, type Results } from './report.js'
import { commands } from './scenarios/commands.js'
import { largeFile } from './scenarios/large.js'
import { latency } from './scenarios/latency.js'
import { listing } from './scenarios/listing.js'
import { resume } from './scenarios/resume.js'
import { s3Store } from './scenarios/s3.js'
import { smallFiles } from './scenarios/small.js'
import { MiB } from './stats.js'

const whole = (text: string): number => {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new InvalidArgumentError('a whole number ≥ 1')
  return Number(text)
}

const SCENARIOS = [
  'commands',
  'large',
  'small',
  'latency',
  'listing',
  'resume',
  'tls',
  's3',
] as const
type Scenario = (typeof SCENARIOS)[number]
const scenarioList = (text: string): Scenario[] => {
  const names = text.split(',').map((s) => s.trim())
  const unknown = names.filter((s) => !(SCENARIOS as readonly string[]).includes(s))
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown: ${unknown.join(', ')}`)
  return names as Scenario[]
}

const program = new Command()
  .name('npm run bench --')
  .description('Measure BucketShare against a raw Node socket pipe on this machine.')
  .option('--size <MiB>', 'large file size', whole, 1024)
  .option(
    '--runs <n>',
    'interleaved runs of the large-file scenario (medians are reported)',
    whole,
    3,
  )
  .option('--files <n>', 'number of small files', whole, 2000)
  .option('--small-size <KiB>', 'size of each small file', whole, 16)
  .option('--conns <n>', 'concurrent connections issuing commands', whole, 100)
  .option(
    '--seconds <n>',
    'duration of the commands scenario (its file-system yardstick runs as long before and after)',
    whole,
    5,
  )
  .option('--delay-ms <n>', 'one-way delay added in the latency scenario', whole, 5)
  .option('--list-files <n>', 'files in the bucket listed by ls_f', whole, 100_000)
  .option('--list-folders <n>', 'folders those files are spread over', whole, 1_000)
  .option('--no-tls', 'skip the TLS scenarios')
  .option(
    '--peers',
    'add to the large-file runs what users would use instead: ftp-srv + basic-ftp, vsftpd + curl (when installed), and `npm run client` end to end',
  )
  .option(
    '--only <scenarios>',
    `run only these, comma-separated (${SCENARIOS.join(', ')}), e.g. to profile one`,
    scenarioList,
  )
  .option('--cpu-prof <dir>', 'write a CPU profile of every server process into this folder')
  .option('--quick', 'small sizes, one run: checks that it works and bytes are intact (CI)')
  .option('--out <file>', 'where to write the JSON results')
  .parse()

type Options = {
  size: number
  runs: number
  files: number
  smallSize: number
  conns: number
  seconds: number
  listFiles: number
  listFolders: number
  delayMs: number
  tls: boolean
  peers?: boolean
  only?: Scenario[]
  cpuProf?: string
  quick?: boolean
  out?: string
}
const given = program.opts<Options>()
const o: Options = given.quick
  ? {
      ...given,
      size: 64,
      runs: 1,
      files: 200,
      conns: 20,
      seconds: 1,
      listFiles: 10_000,
      listFolders: 100,
    }
  : given
const wanted = (s: Scenario): boolean => (o.only ? o.only.includes(s) : s !== 'tls' || o.tls)

const base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-bench-')))
const root = path.join(base, 'root')
const tlsRoot = path.join(base, 'tls-root')
const local = path.join(base, 'local')
await Promise.all([root, tlsRoot, local].map((d) => fs.mkdir(d)))

const step = (text: string): void => console.error(`… ${text}`)
let exitCode = 0
try {
  // Beside the bench so the bundle finds the project's node_modules.
  const script = await bundleServer(path.resolve('node_modules/.cache/bench'))
  const cpuProf = o.cpuProf ? path.resolve(o.cpuProf) : undefined
  // Each scenario gets a fresh server process, so one's memory does not count against another.
  const fresh = async <T>(
    run: (server: ServerProcess) => Promise<T>,
    folder = root,
    tlsDir?: string,
  ): Promise<T> => {
    const server = await startServerProcess(script, folder, { tlsDir, cpuProf })
    try {
      return await run(server)
    } finally {
      await server.stop()
    }
  }
  const results: Results = {
    machine: {
      node: process.version,
      cpus: os.cpus().length,
      platform: `${os.platform()} ${os.arch()}`,
    },
    options: { ...o },
  }
  // Commands first, on an empty folder: they measure the protocol, not the size of the buckets.
  if (wanted('commands')) {
    step(`commands: ${o.conns} connections for ${o.seconds} s`)
    results.commands = await fresh((server) =>
      commands(server, path.join(base, 'folders'), o.conns, o.seconds),
    )
  }
  if (wanted('large')) {
    step(
      `large file: ${o.size} MiB × ${o.runs} runs, interleaved with the baseline${o.peers ? ' and the peers' : ''}`,
    )
    results.large = await fresh((server) =>
      largeFile(server, root, local, o.size * MiB, o.runs, true, (source) =>
        o.peers ? startPeers({ script, base, server, root, local, source }) : Promise.resolve([]),
      ),
    )
  }
  if (wanted('small')) {
    step(`small files: ${o.files} × ${o.smallSize} KiB`)
    results.small = await fresh((server) =>
      smallFiles(server, root, local, o.files, o.smallSize * 1024),
    )
  }
  if (wanted('latency')) {
    step(`latency: ${o.files} × ${o.smallSize} KiB through a link with ${o.delayMs} ms each way`)
    results.latency = await fresh((server) =>
      latency(server, local, o.files, o.smallSize * 1024, o.delayMs),
    )
  }
  if (wanted('listing')) {
    step(`listing: ls_f of ${o.listFiles} files in ${o.listFolders} folders`)
    results.listing = await fresh((server) => listing(server, root, o.listFiles, o.listFolders))
  }
  if (wanted('resume')) {
    step(`resume: ${o.size} MiB cut at 50 % and continued, both ways`)
    results.resume = await fresh((server) => resume(server, local, o.size * MiB))
  }
  if (wanted('s3')) {
    step(`S3 store: ${o.size} MiB × ${o.runs} runs, against the folder store`)
    results.s3 = await s3Store(script, base, local, o.size * MiB, o.runs)
  }
  if (wanted('tls')) {
    step('TLS: large file and small files')
    results.tls = await fresh(
      async (server) => ({
        large: await largeFile(server, tlsRoot, local, o.size * MiB, o.runs, false),
        small: await smallFiles(server, tlsRoot, local, o.files, o.smallSize * 1024),
      }),
      tlsRoot,
      path.join(base, 'tls-identity'),
    )
  }
  printTable(results)
  const out =
    o.out ??
    path.join('bench-results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  await fs.mkdir(path.dirname(out), { recursive: true })
  await fs.writeFile(out, `${JSON.stringify(results, null, 2)}\n`)
  console.log(`\nJSON: ${out}`)
} catch (err) {
  exitCode = 1
  console.error(err instanceof IntegrityError ? `INTEGRITY FAILURE: ${err.message}` : err)
} finally {
  await fs.rm(base, { recursive: true, force: true })
}
process.exit(exitCode)
