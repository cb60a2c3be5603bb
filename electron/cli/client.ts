/**
 * Terminal client console:
 *   npm run client -- [host] [port]
 *   npm run client -- "bucketshare://<address>:<port>/?fp=…&code=…"   (an invite)
 *   npm run client -- --discover [--seconds N]   (lists hosts nearby, then exits)
 * Speaks the vocabulary as users type it (`upload <path of the file> [<name of file>] <name of bucket>`,
 * `download <name of bucket> <name of file> <path of destination>`, …) with line editing, history,
 * Tab completion and a progress bar on transfers. When standard input is not a terminal it runs the
 * lines it reads and exits non-zero if any command failed.
 */
import readline from 'node:readline'
import { Command, InvalidArgumentError } from 'commander'
import {
  normalizeFingerprint,
  shortFingerprint,
  verificationString,
} from '../../shared/fingerprint.js'
import { isInviteLink, parseInvite, type Invite } from '../../shared/invite.js'
import {
  BucketClient,
  CertificateChangedError,
  DEFAULT_CONNECT_TIMEOUT_MS,
  KnownHosts,
  runConsoleLine,
  speaksTls,
  TransportError,
} from '../client/index.js'
import { DEFAULT_PORT, hostPort } from '../../shared/address.js'
import { portArgument } from './arguments.js'
import { complete, type CompletionSource } from './completer.js'
import { discover } from './discover.js'
import { paint, printResult, progressBar, say } from './terminal.js'

interface Options {
  accessCode?: string
  plain: boolean
  trust?: string
  dataDir?: string
}

function parseSeconds(text: string): number {
  const seconds = Number(text)
  if (!/^\d+$/.test(text) || seconds < 1 || seconds > 3600)
    throw new InvalidArgumentError('a whole number of seconds from 1 to 3600')
  return seconds
}

const interactive = Boolean(process.stdin.isTTY)
/** Said while connecting takes longer than this. */
const WAITING_NOTICE_MS = 500
/** Remote names offered by Tab completion are asked again after this long. */
const NAMES_FRESH_MS = 3000

/** Says why the session cannot go on, once, and leaves. */
function fail(message: string): never {
  say(paint('red', `error: ${message}`), process.stderr)
  process.exit(1)
}

/**
 * A failure as the person should read it: a plain connection that a TLS server hung up on, or a
 * TLS connection to a plain server, is named as such with the option that fixes it.
 */
async function explain(err: Error, host: string, port: number, options: Options): Promise<string> {
  if (!(err instanceof TransportError)) return err.message
  const where = hostPort(host, port)
  if (err.reason === 'not-tls')
    return `${where} is a plain (unencrypted) server: connect with --plain, on a network you trust`
  if (options.plain && err.reason === 'silent' && (await speaksTls(host, port)))
    return `${where} is an encrypted (TLS) server: connect without --plain`
  return err.message
}

/**
 * Connects with an invite: only the certificate it names is accepted (checked during the TLS
 * handshake, before any command is sent), and its code is given.
 */
async function openInvite(invite: Invite, options: Options): Promise<BucketClient> {
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
async function open(host: string, port: number, options: Options): Promise<BucketClient> {
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

/**
 * Connects, saying what it waits for when the host is slow to answer, and lets Ctrl-C give up.
 * A person at a terminal learns of a TLS server behind --plain before typing anything.
 */
async function connect(
  host: string,
  port: number,
  options: Options,
  invite?: Invite,
): Promise<BucketClient> {
  const where = hostPort(host, port)
  const giveUp = (): void => {
    say('Cancelled.', process.stderr)
    process.exit(130)
  }
  process.once('SIGINT', giveUp)
  const notice = setTimeout(
    () =>
      say(
        `Waiting for ${where} to answer (up to ${DEFAULT_CONNECT_TIMEOUT_MS / 1000} s; Ctrl-C to give up)…`,
        process.stderr,
      ),
    WAITING_NOTICE_MS,
  )
  const started = performance.now()
  try {
    const client = await (invite ? openInvite(invite, options) : open(host, port, options))
    // A TLS server hangs up within a round trip; the connection took about one.
    const roundTrip = performance.now() - started
    if (options.plain && interactive)
      await client.probePlain(Math.min(2000, Math.max(150, 3 * roundTrip)))
    return client
  } catch (err) {
    fail(await explain(err as Error, host, port, options))
  } finally {
    clearTimeout(notice)
    process.off('SIGINT', giveUp)
  }
}

/** Bucket and file names for Tab completion, asked of the server when Tab is pressed. */
function completionSource(current: () => BucketClient): CompletionSource {
  const fresh = new Map<string, { time: number; names: Promise<string[]> }>()
  const cached = (key: string, list: () => Promise<string[]>): Promise<string[]> => {
    const hit = fresh.get(key)
    if (hit && performance.now() - hit.time < NAMES_FRESH_MS) return hit.names
    const names = list()
    fresh.set(key, { time: performance.now(), names })
    return names
  }
  return {
    cwd: process.cwd(),
    buckets: () => cached('', async () => (await current().listBuckets()).map((b) => b.name)),
    files: (bucket) =>
      cached(`/${bucket}`, async () => (await current().listFiles(bucket)).map((f) => f.name)),
  }
}

async function main(): Promise<void> {
  const program = new Command()
    .name('npm run client --')
    .description('Talk to a bucket server. Type help for the commands, quit to leave.')
    .argument('[host]', 'address of the server, or an invite (bucketshare://…)', '127.0.0.1')
    .argument('[port]', 'its port', portArgument, DEFAULT_PORT)
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
  const options = program.opts<Options & { discover: boolean; seconds: number }>()
  if (options.discover) process.exit(await discover(options.seconds))
  const [target, givenPort] = program.processedArgs as [string, number]
  const invite = isInviteLink(target) ? parseInvite(target) : undefined
  if (invite && !invite.ok) fail(invite.error)
  const host = invite?.ok ? invite.invite.host : target
  const port = invite?.ok ? invite.invite.port : givenPort
  let client = await connect(host, port, options, invite?.ok ? invite.invite : undefined)

  let quitting = false
  /** The last transport failure a command met: why the connection ended, when it did. */
  let cause: TransportError | undefined
  const watch = (c: BucketClient): void => {
    c.on('command', ({ error }) => {
      if (error instanceof TransportError) cause = error
    })
  }
  watch(client)
  /** Says once why the connection ended, however many paths notice it. */
  let ending: Promise<never> | undefined
  const lost = (err: Error): Promise<never> =>
    (ending ??= explain(cause ?? err, host, port, options).then(fail))
  /**
   * A connection closed between commands (the server closes idle ones) lost nothing: the next
   * command connects again, with the same certificate and access code.
   */
  const reconnected = async (): Promise<BucketClient> => {
    say(`${hostPort(host, port)} closed the connection between commands; connecting again…`)
    const next = await client.reopen().catch((err: Error) => lost(err))
    watch(next)
    return next
  }
  if (interactive)
    console.log(`Connected to ${host}:${port}. Type help for the commands, quit to leave.`)

  const source = completionSource(() => client)
  const rl = readline.createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: interactive,
    historySize: 1000,
    prompt: `${host}:${port}> `,
    completer: (line: string, callback: (err: null, result: [string[], string]) => void) =>
      void complete(line, source).then((result) => callback(null, result)),
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
    if (!client.connected) client = await reconnected()
    transfer = new AbortController()
    const bar = progressBar()
    const result = await runConsoleLine(client, line, {
      cwd: process.cwd(),
      signal: transfer.signal,
      onProgress: bar.onProgress,
      // Ctrl-C pauses a download: the same command continues it.
      keepPartial: true,
    })
    bar.stop()
    transfer = undefined
    // The connection is gone: say why once, rather than once for every line still to come.
    if (!result.status && !client.connected && !quitting) {
      rl.close()
      await lost(cause ?? new TransportError('closed', result.error ?? 'connection lost'))
    }
    if (result.status?.code === 200) quitting = true
    printResult(result)
    if (!result.status?.ok) failed = true
    if (quitting) break
    if (interactive) rl.prompt()
  }
  rl.close()
  if (!quitting && client.connected) {
    quitting = true
    await client.quit().catch((err: Error) => lost(err))
  }
  client.close()
  // A person at the prompt saw each failure; only a script needs the exit code to tell.
  process.exitCode = failed && !interactive ? 1 : 0
}

await main()
