/**
 * Headless bucket server:
 *   npm run server -- "<path where the buckets will be saved>" [--port 4567] [--host 127.0.0.1]
 *     [--access-code <code> | --no-access-code] [--grant "<code>=<role>[:<bucket>,…]"]…
 *     [--max-per-address <count>] [--read-only] [--trash-days 30] [--trash-size <MiB>]
 *     [--plain] [--data-dir <folder>] [--name <display name>] [--no-announce]
 *   npm run server -- "s3://<bucket>[/<prefix>]" --s3-endpoint <url> [--s3-region <r>]
 *     [--s3-path-style] [every other option]: the buckets on an S3-compatible object store
 *   Cut uploads are kept to be continued: [--keep-partials <hours>] [--max-partials <GiB>]
 * Prints where it listens and, over TLS, an invite (`Invite: bucketshare://…`, with a QR code on a
 * terminal); beyond loopback it announces itself over mDNS. Then one log line per connection and
 * per command. Ctrl-C closes it
 * gracefully (commands in progress are answered first); a second Ctrl-C quits at once.
 */
import os from 'node:os'
import { Command, InvalidArgumentError } from 'commander'
import { DEFAULT_PORT } from '../../shared/address.js'
import { shortFingerprint, verificationString } from '../../shared/fingerprint.js'
import { describeGrant, parseGrantSpec } from '../../shared/protocol/index.js'
import { defaultDataDir } from '../data-dir.js'
import { hostInvite, isLoopback } from '../discovery/invites.js'
import { listenPortArgument } from './arguments.js'
import {
  DEFAULT_HOST,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  DEFAULT_TRASH,
  generateAccessCode,
  type GrantWithCode,
  loadOrCreateIdentity,
  PROTOCOL_VERSION,
  reachableAddresses,
  startServer,
} from '../server/index.js'
import { DEFAULT_KEEP_PARTIALS_MS, DEFAULT_MAX_PARTIAL_BYTES } from '../storage/index.js'

interface Options {
  port: number
  host: string
  idleTimeout: number
  /** A code given, false for --no-access-code, undefined for the default. */
  accessCode?: string | false
  maxPerAddress: number
  readOnly: boolean
  grant: GrantWithCode[]
  trashDays: number
  trashSize: number
  plain: boolean
  dataDir?: string
  name: string
  announce: boolean
  s3Endpoint?: string
  s3Region?: string
  s3PathStyle: boolean
  keepPartials: number
  maxPartials: number
}

function parseSeconds(text: string): number {
  const seconds = Number(text)
  if (!/^\d+$/.test(text) || seconds < 1)
    throw new InvalidArgumentError('a whole number of seconds')
  return seconds
}

function parseCount(text: string): number {
  const count = Number(text)
  if (!/^\d+$/.test(text) || count < 1 || !Number.isSafeInteger(count))
    throw new InvalidArgumentError('a whole number, at least 1')
  return count
}

/** `--grant` values, labelled "grant 1", "grant 2", … in the order given. */
function collectGrant(text: string, earlier: GrantWithCode[]): GrantWithCode[] {
  const parsed = parseGrantSpec(text)
  if (!parsed.ok) throw new InvalidArgumentError(parsed.reason)
  const { code, role, buckets } = parsed
  return [...earlier, { code, role, buckets, label: `grant ${earlier.length + 1}` }]
}

function parseWhole(text: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new InvalidArgumentError('a whole number, 0 or more')
  return Number(text)
}

function parseAmount(text: string): number {
  const n = Number(text)
  if (!/^\d+(\.\d+)?$/.test(text)) throw new InvalidArgumentError('a number, 0 or more')
  return n
}

/** A problem with what was asked, not with how: the message alone, no usage text. */
function fail(message: string): never {
  console.error(`error: ${message}`)
  process.exit(1)
}

function clock(time: number): string {
  return new Date(time).toTimeString().slice(0, 8)
}

async function main(): Promise<void> {
  const program = new Command()
    .name('npm run server --')
    .description('Share a folder over the bucket protocol: every folder inside it is a bucket.')
    .argument(
      '<folder>',
      'path where the buckets will be saved (quote it if it has spaces), or s3://<bucket>[/<prefix>] on an object store',
    )
    .option(
      '-p, --port <port>',
      'TCP port to listen on; 0 picks a free one',
      listenPortArgument,
      DEFAULT_PORT,
    )
    .option('--host <address>', 'address to listen on; 0.0.0.0 for every network', DEFAULT_HOST)
    .option(
      '--idle-timeout <seconds>',
      'close connections idle for this long',
      parseSeconds,
      DEFAULT_IDLE_TIMEOUT_MS / 1000,
    )
    .option(
      '--access-code <code>',
      'code clients must give (auth <code>); generated when listening on the network',
    )
    .option('--no-access-code', 'let anyone who can reach the server in, even on the network')
    .option(
      '--max-per-address <count>',
      'connections at once from one IP address, this computer included',
      parseCount,
      DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
    )
    .option(
      '--grant <code=role[:buckets]>',
      'a further access code: "<code>=<role>" or "<code>=<role>:<bucket>,<bucket>"; roles: read (list, download), drop (upload only, sees no files), write (read, upload, rename), full (everything); repeatable',
      collectGrant,
      [],
    )
    .option('--read-only', 'clients may list and download, nothing else', false)
    .option(
      '--trash-days <days>',
      'keep deleted and replaced files this many days in the trash; 0: delete for good',
      parseWhole,
      DEFAULT_TRASH.days,
    )
    .option(
      '--trash-size <MiB>',
      'keep the trash under this size, dropping the oldest first',
      parseWhole,
      DEFAULT_TRASH.maxBytes / 1024 ** 2,
    )
    .option(
      '--plain',
      'plain TCP instead of TLS (for nc and telnet; keep it on this computer)',
      false,
    )
    .option(
      '--data-dir <folder>',
      'where the TLS certificate is kept (default: your config folder)',
    )
    .option('--name <display name>', 'how people nearby see this host', os.hostname())
    .option('--no-announce', 'do not announce this host on the network (mDNS)')
    .option(
      '--s3-endpoint <url>',
      "the object store's address, e.g. http://127.0.0.1:3900 (AWS when absent); credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE",
    )
    .option('--s3-region <region>', 'its region (default: AWS_REGION, else us-east-1)')
    .option('--s3-path-style', 'path-style addressing, which most self-hosted stores need', false)
    .option(
      '--keep-partials <hours>',
      'keep the bytes of a cut upload this long, for the client to continue it',
      parseAmount,
      DEFAULT_KEEP_PARTIALS_MS / 3_600_000,
    )
    .option(
      '--max-partials <GiB>',
      'kept cut uploads take at most this much disk together, the oldest dropped first',
      parseAmount,
      DEFAULT_MAX_PARTIAL_BYTES / 1024 ** 3,
    )
    .showHelpAfterError()
    .parse()
  const [folder = ''] = program.args
  const options = program.opts<Options>()
  if (folder.trim() === '') fail('the folder path is empty')

  // Beyond this computer, nobody gets in without a code unless the host says so explicitly.
  const grants = options.grant
  const accessCode =
    options.accessCode === false
      ? undefined
      : (options.accessCode ??
        (isLoopback(options.host) || grants.length > 0 ? undefined : generateAccessCode()))
  const identity = options.plain
    ? undefined
    : await loadOrCreateIdentity(options.dataDir ?? defaultDataDir()).catch((err: Error) =>
        fail(err.message),
      )
  const server = await startServer({
    root: folder,
    s3: {
      ...(options.s3Endpoint ? { endpoint: options.s3Endpoint } : {}),
      ...(options.s3Region ? { region: options.s3Region } : {}),
      pathStyle: options.s3PathStyle,
    },
    port: options.port,
    host: options.host,
    idleTimeoutMs: options.idleTimeout * 1000,
    maxConnectionsPerAddress: options.maxPerAddress,
    readOnly: options.readOnly,
    grants,
    trashDays: options.trashDays,
    trashMaxBytes: options.trashSize * 1024 ** 2,
    keepPartialsMs: Math.round(options.keepPartials * 3_600_000),
    maxPartialBytes: Math.round(options.maxPartials * 1024 ** 3),
    ...(accessCode ? { accessCode } : {}),
    ...(identity ? { tls: identity } : {}),
  }).catch((err: Error) => fail(err.message))

  console.log(`Sharing "${server.root}"`)
  console.log(`Listening on ${reachableAddresses(server.host, server.port).join('  ')}`)
  if (identity) {
    console.log(
      `Encrypted (TLS). Certificate fingerprint: ${shortFingerprint(identity.fingerprint)}`,
    )
    console.log(`Verification: ${verificationString(identity.fingerprint)}`)
  } else console.log('Plain TCP: not encrypted (use it on this computer or a network you trust).')
  if (accessCode) console.log(`Access code: ${accessCode}   (clients type: auth ${accessCode})`)
  // The codes of grants were typed by the host: they are not repeated where logs may keep them.
  for (const grant of grants) console.log(`Grant "${grant.label}": ${describeGrant(grant)}`)
  if (accessCode === undefined && grants.length === 0 && !isLoopback(options.host))
    console.log('Warning: no access code; anyone who can reach this computer can use the folder.')
  if (options.readOnly) console.log('Read-only: clients can list and download, nothing else.')
  if (identity) {
    const invite = hostInvite({
      host: server.host,
      port: server.port,
      fingerprint: identity.fingerprint,
      accessCode: accessCode ?? null,
    })
    console.log(`Invite: ${invite}`)
    // Loaded only where it is drawn: what a server loads stays in its memory (docs/performance.md).
    if (process.stdout.isTTY) {
      const { default: QRCode } = await import('qrcode')
      console.log(await QRCode.toString(invite, { type: 'terminal', small: true }))
    }
  }
  // Loopback is this computer only: nobody nearby could connect, so nothing is announced.
  const announcer =
    options.announce && !isLoopback(server.host)
      ? new (await import('../discovery/announcer.js')).Announcer({
          displayName: options.name,
          port: server.port,
          fingerprint: identity?.fingerprint ?? null,
          codeRequired: server.protected,
          protocolVersion: PROTOCOL_VERSION,
        })
      : undefined
  announcer?.start()
  if (announcer) console.log(`Announced nearby as "${options.name}" (mDNS, _bucketshare._tcp).`)
  console.log(
    options.trashDays > 0
      ? `Trash: deleted and replaced files are kept ${options.trashDays} days (up to ${options.trashSize} MiB).`
      : 'No trash: deleted files are gone for good.',
  )
  console.log('Press Ctrl-C to stop.')
  server.on('log', ({ time, text }) => console.log(`${clock(time)} ${text}`))

  const stop = (): void => {
    console.log('Stopping: finishing the commands in progress…')
    process.once('SIGINT', () => process.exit(130))
    // The goodbye goes first, so browsers drop this host at once.
    void Promise.resolve(announcer?.stop())
      .then(() => server.close())
      .then(() => console.log('Stopped.'))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

await main()
