/**
 * Terminal client console:
 *   npm run client -- [host] [port]
 *   npm run client -- "bucketshare://<address>:<port>/?fp=…&code=…"   (an invite)
 *   npm run client -- --discover [--seconds N]   (lists hosts nearby, then exits)
 * Speaks the vocabulary as users type it (`upload <path of the file> <name of file> <name of bucket>`,
 * `download <name of bucket> <name of file> <path of destination>`, …) with line editing, history,
 * Tab completion and a progress bar on transfers. When standard input is not a terminal it runs the
 * lines it reads and exits non-zero if any command failed.
 */
import readline from 'node:readline'
import { styleText } from 'node:util'
import { SingleBar } from 'cli-progress'
import { Command, InvalidArgumentError } from 'commander'
import {
  codeMeaning,
  formatStatus,
  parseBucketEntry,
  VERBS,
  type Status,
} from '../../shared/protocol/index.js'
import {
  normalizeFingerprint,
  shortFingerprint,
  verificationString,
} from '../../shared/fingerprint.js'
import { isInviteLink, parseInvite, type Invite } from '../../shared/invite.js'
import {
  BucketClient,
  CertificateChangedError,
  KnownHosts,
  runConsoleLine,
  type ConsoleResult,
  type Progress,
} from '../client/index.js'
import { DEFAULT_PORT } from '../server/index.js'
import { discover } from './discover.js'

function parsePort(text: string): number {
  const port = Number(text)
  if (!/^\d+$/.test(text) || port < 1 || port > 65535)
    throw new InvalidArgumentError('a port is a whole number from 1 to 65535')
  return port
}

function parseSeconds(text: string): number {
  const seconds = Number(text)
  if (!/^\d+$/.test(text) || seconds < 1 || seconds > 3600)
    throw new InvalidArgumentError('a whole number of seconds from 1 to 3600')
  return seconds
}

const interactive = Boolean(process.stdin.isTTY)
const color = Boolean(process.stdout.isTTY)

function paint(style: Parameters<typeof styleText>[0], text: string): string {
  return color ? styleText(style, text) : text
}

function statusText(status: Status): string {
  const line = formatStatus(status.code, status.detail)
  return `${paint(status.ok ? 'green' : 'red', line)}  ${paint('dim', `(${codeMeaning(status.code)})`)}`
}

function print(result: ConsoleResult): void {
  for (const line of result.lines) console.log(`-> ${line}`)
  if (result.status) console.log(statusText(result.status))
  else console.log(paint('red', `error: ${result.error ?? 'no answer'}`))
}

/** A bar on stderr for a transfer, shown only on a terminal. */
function progressBar(): { onProgress?: (p: Progress) => void; stop(): void } {
  if (!process.stderr.isTTY) return { stop: () => undefined }
  let bar: SingleBar | undefined
  return {
    onProgress: ({ bytes, total, rate }) => {
      bar ??= new SingleBar({
        format: ' {bar} {percentage}% | {done} of {size} | {speed} | {eta_formatted} left',
        hideCursor: true,
        stream: process.stderr,
      })
      const payload = { done: human(bytes), size: human(total), speed: `${human(rate)}/s` }
      if (!bar.isActive) bar.start(total || 1, bytes, payload)
      else bar.update(bytes, payload)
    },
    stop: () => bar?.stop(),
  }
}

function human(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`
}

interface OpenOptions {
  accessCode?: string
  plain: boolean
  trust?: string
  dataDir?: string
}

/**
 * Connects with an invite: only the certificate it names is accepted (checked during the TLS
 * handshake, before any command is sent), and its code is given.
 */
async function openInvite(invite: Invite, options: OpenOptions): Promise<BucketClient> {
  if (options.plain) throw new Error('an invite is for a TLS host; leave out --plain')
  const accessCode = options.accessCode ?? invite.accessCode
  try {
    const client = await BucketClient.connect({
      host: invite.host,
      port: invite.port,
      tls: { fingerprint: invite.fingerprint },
      ...(accessCode ? { accessCode } : {}),
    })
    new KnownHosts(options.dataDir).pin(invite.host, invite.port, invite.fingerprint)
    return client
  } catch (err) {
    if (!(err instanceof CertificateChangedError)) throw err
    throw new Error(
      `the host at ${invite.host}:${invite.port} presented another certificate than the invite ` +
        `names (${shortFingerprint(err.actual)}); not connecting: it may be another computer ` +
        'pretending to be the host. Ask the host for a new invite.',
    )
  }
}

/**
 * Connects; over TLS the server's certificate is pinned on first use and must match afterwards,
 * unless the person accepts a change with --trust.
 */
async function open(host: string, port: number, options: OpenOptions): Promise<BucketClient> {
  const base = { host, port, ...(options.accessCode ? { accessCode: options.accessCode } : {}) }
  if (options.plain) return BucketClient.connect(base)
  const known = new KnownHosts(options.dataDir)
  const pinned = known.get(host, port)
  try {
    const client = await BucketClient.connect({
      ...base,
      tls: pinned ? { fingerprint: pinned } : {},
    })
    if (!pinned && client.fingerprint) {
      // Known by its certificate: the same host, moved to another address.
      const before = known.whereSeen(client.fingerprint)
      known.pin(host, port, client.fingerprint)
      if (before)
        console.error(`Same certificate as ${before}: the host you know, at a new address.`)
      else
        console.error(
          `First connection to ${host}:${port}. Certificate fingerprint: ${shortFingerprint(client.fingerprint)}\n` +
            `Verification: ${verificationString(client.fingerprint)}\n` +
            'Compare it with the one the host shows; it is remembered from now on.',
        )
    }
    return client
  } catch (err) {
    if (!(err instanceof CertificateChangedError)) throw err
    if (options.trust && err.actual.startsWith(normalizeFingerprint(options.trust))) {
      known.pin(host, port, err.actual)
      return BucketClient.connect({ ...base, tls: { fingerprint: err.actual } })
    }
    throw new Error(
      `${err.message}\nIf you know why it changed, connect again with --trust "${shortFingerprint(err.actual)}".`,
    )
  }
}

async function main(): Promise<void> {
  const program = new Command()
    .name('npm run client --')
    .description('Talk to a bucket server. Type help for the commands, quit to leave.')
    .argument('[host]', 'address of the server, or an invite (bucketshare://…)', '127.0.0.1')
    .argument('[port]', 'its port', parsePort, DEFAULT_PORT)
    .option('--discover', 'list the hosts nearby (one line each), then exit', false)
    .option('--seconds <n>', 'how long --discover listens', parseSeconds, 3)
    .option('--access-code <code>', 'the code the host shows, when it has one')
    .option('--plain', 'plain TCP instead of TLS (for a server started with --plain)', false)
    .option('--trust <fingerprint>', "accept the server's new certificate (after a change warning)")
    .option(
      '--data-dir <folder>',
      'where known servers are remembered (default: your config folder)',
    )
    .showHelpAfterError()
    .parse()
  const options = program.opts<OpenOptions & { discover: boolean; seconds: number }>()
  if (options.discover) process.exit(await discover(options.seconds))
  const [target, givenPort] = program.processedArgs as [string, number]
  const invite = isInviteLink(target) ? parseInvite(target) : undefined
  if (invite && !invite.ok) {
    console.error(`error: ${invite.error}`)
    process.exit(1)
  }
  const host = invite?.ok ? invite.invite.host : target
  const port = invite?.ok ? invite.invite.port : givenPort
  const client = await (
    invite?.ok ? openInvite(invite.invite, options) : open(host, port, options)
  ).catch((err: Error) => {
    console.error(`error: ${err.message}`)
    process.exit(1)
  })
  let quitting = false
  client.on('close', (err) => {
    if (quitting) return
    console.error(paint('red', `error: ${err.message}`))
    process.exit(1)
  })

  /** Bucket names for Tab completion, refreshed whenever they may have changed. */
  let buckets: string[] = []
  const refreshBuckets = async (): Promise<void> => {
    const response = await client.send('ls_b').catch(() => undefined)
    buckets = (response?.lines ?? []).flatMap((l) => parseBucketEntry(l)?.name ?? [])
  }
  if (interactive) {
    await refreshBuckets()
    console.log(`Connected to ${host}:${port}. Type help for the commands, quit to leave.`)
  }

  const rl = readline.createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: interactive,
    historySize: 1000,
    prompt: `${host}:${port}> `,
    completer: (line: string): [string[], string] => {
      const words = line.split(' ')
      const word = words.at(-1) ?? ''
      const pool = words.length === 1 ? VERBS : buckets.map((b) => (b.includes(' ') ? `"${b}"` : b))
      const hits = pool.filter((c) => c.startsWith(word))
      return [hits.length > 0 ? hits : pool, word]
    },
  })

  let failed = false
  let transfer: AbortController | undefined
  rl.on('SIGINT', () => {
    if (transfer) transfer.abort()
    else rl.close()
  })

  if (interactive) rl.prompt()
  for await (const line of rl) {
    if (line.trim() === '') {
      if (interactive) rl.prompt()
      continue
    }
    transfer = new AbortController()
    const bar = progressBar()
    const result = await runConsoleLine(client, line, {
      cwd: process.cwd(),
      signal: transfer.signal,
      onProgress: bar.onProgress,
    })
    bar.stop()
    transfer = undefined
    if (result.status?.code === 200) quitting = true
    print(result)
    if (!result.status?.ok) failed = true
    if (quitting) break
    if (interactive && /^\s*(create_b|delete_b|ls_b)\b/.test(line)) await refreshBuckets()
    if (interactive) rl.prompt()
  }
  rl.close()
  if (!quitting) {
    quitting = true
    await client.quit().catch(() => undefined)
  }
  client.close()
  process.exitCode = failed ? 1 : 0
}

await main()
