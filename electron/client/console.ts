import os from 'node:os'
import path from 'node:path'
import {
  COMMANDS,
  ProtocolError,
  statusOf,
  tokenize,
  type Code,
  type Status,
} from '../../shared/protocol/index.js'
import type { BucketClient } from './client.js'
import { isFileResult, runTransfer, type AnyResult, type LocalTransfer } from './run-transfer.js'
import type { TreeProgress, TreeResult } from './trees.js'
import type { Progress } from './progress.js'
import type { TransferResult } from './transfers.js'

/** The origin of the commands a console sends (see the client's `command` event). */
export const CONSOLE_ORIGIN = 'console'

/** An upload or download as typed in a console, its arguments put in order. */
type ConsoleTransfer =
  | { verb: 'upload'; local: string; name: string; bucket: string }
  | { verb: 'download'; bucket: string; name: string; local: string }

/**
 * Reads the arguments of `upload <path> [<name>] <bucket>` (the name defaults to the file's) and
 * `download <bucket> <name> <path>`; undefined when they do not fit.
 */
function consoleTransfer(tokens: readonly string[]): ConsoleTransfer | undefined {
  const [verb, ...args] = tokens
  if (verb === 'upload' && args.length === 2) {
    const [local, bucket] = args as [string, string]
    return { verb, local, name: path.basename(local), bucket }
  }
  if (args.length !== 3) return undefined
  const [a, b, c] = args as [string, string, string]
  if (verb === 'upload') return { verb, local: a, name: b, bucket: c }
  if (verb === 'download') return { verb, bucket: a, name: b, local: c }
  return undefined
}

/** A console line's transfer, or the usage answer when its arguments are wrong. */
export type LineTransfer = { spec: LocalTransfer } | { refused: ConsoleResult }

/**
 * The transfer a console line asks for, undefined for any other command. `upload` and `download`
 * name a local file or folder (relative to `cwd`) that the client reads or writes.
 */
export function transferOfLine(line: string, cwd: string): LineTransfer | undefined {
  const parsed = tokenize(line)
  const verb = parsed.ok ? parsed.tokens[0] : undefined
  if (!parsed.ok || (verb !== 'upload' && verb !== 'download')) return undefined
  const transfer = consoleTransfer(parsed.tokens)
  if (!transfer) return { refused: local(400, `usage: ${COMMANDS[verb].console}`) }
  const at = localPath(cwd, transfer.local)
  // Typed with a trailing separator (`photos/`, `.`), a destination names a folder, which must
  // exist: otherwise the download would become a file named like the folder.
  const folder = transfer.verb === 'download' && /[\\/]$|^\.{1,2}$|^~$/.test(transfer.local)
  return {
    spec: {
      direction: transfer.verb,
      bucket: transfer.bucket,
      name: transfer.name,
      local: folder ? `${at}${path.sep}` : at,
    },
  }
}

/** How a transfer typed in a console ended, as the console shows it. */
export function transferResultOf(
  spec: LocalTransfer,
  sent: string | undefined,
  outcome: { result: AnyResult } | { error: unknown },
  describe: (err: unknown) => string = (err) => (err as Error).message,
): ConsoleResult {
  if ('result' in outcome) {
    const { result } = outcome
    if (isFileResult(result)) return { sent, ...fileAnswer(spec, result), transfer: result }
    return treeResult(spec.direction === 'upload' ? 700 : 900, result)
  }
  const { error } = outcome
  if (error instanceof ProtocolError) return { sent, ...local(error.code, error.detail) }
  return { sent, lines: [], status: null, error: describe(error) }
}

/** What a console line did: the response lines and status, or why there was none. */
export interface ConsoleResult {
  /** The command as it went on the wire (for upload and download, the translated line). */
  sent?: string
  lines: string[]
  /** Null when no answer came (a broken connection, a local file that cannot be read). */
  status: Status | null
  error?: string
  /** For a successful upload or download: its size and sha256. */
  transfer?: TransferResult
  /** For a successful upload or download of a folder: what it moved. */
  tree?: TreeResult
}

export interface ConsoleOptions {
  /** Relative local paths are resolved against it. */
  cwd: string
  /** A tree transfer's progress tells whole files too (TreeProgress). */
  onProgress?: (progress: Progress | TreeProgress) => void
  signal?: AbortSignal
  /** A cancelled download keeps its bytes, continued when the same line runs again. */
  keepPartial?: boolean
}

/**
 * Runs one line typed in a console (the CLI's or the app's) in the vocabulary users know. Every
 * command goes to the server as typed, except `upload` and `download` (see transferOfLine).
 * Never throws.
 */
export async function runConsoleLine(
  client: BucketClient,
  line: string,
  options: ConsoleOptions,
): Promise<ConsoleResult> {
  const transfer = transferOfLine(line, options.cwd)
  if (transfer && 'refused' in transfer) return transfer.refused
  try {
    if (transfer) {
      let sent: string | undefined
      const outcome = await runTransfer(client, transfer.spec, {
        signal: options.signal,
        onProgress: options.onProgress,
        keepPartial: options.keepPartial,
        onCommand: (l) => (sent = l),
        origin: CONSOLE_ORIGIN,
      }).then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      )
      return transferResultOf(transfer.spec, sent, outcome)
    }
    const response = await client.send(line, { origin: CONSOLE_ORIGIN })
    return { sent: line, ...response }
  } catch (err) {
    return { lines: [], status: null, error: (err as Error).message }
  }
}

/**
 * One file's answer: the server's, after a line saying where a continued transfer resumed; a file
 * that was there already is told as such with the transfer's success code.
 */
function fileAnswer(
  spec: LocalTransfer,
  result: TransferResult,
): Pick<ConsoleResult, 'lines' | 'status'> {
  if (result.alreadyThere)
    return {
      lines: [`already there: same size and sha256, nothing moved`, `sha256 ${result.sha256}`],
      status: local(spec.direction === 'upload' ? 700 : 900, '').status,
    }
  const { lines, status } = result.response
  if (result.resumedAt === undefined) return { lines, status }
  return { lines: [`resumed at ${result.resumedAt}`, ...lines], status }
}

/** A tree transfer's summary as a console answer: one data line and the status. */
function treeResult(code: 700 | 900, tree: TreeResult): ConsoleResult {
  const where = tree.path ? ` into ${tree.path}` : ''
  const again = [
    ...(tree.skipped > 0 ? [`${tree.skipped} already there`] : []),
    ...(tree.resumed > 0 ? [`${tree.resumed} continued`] : []),
  ]
  const rerun = again.length > 0 ? ` (${again.join(', ')})` : ''
  return {
    lines: [
      `${tree.files} files (${tree.bytes} bytes)${rerun}, ${tree.folders} empty folders${where}`,
    ],
    status: statusOf(code),
    tree,
  }
}

function local(code: Code, detail: string): ConsoleResult {
  return { lines: [], status: statusOf(code, detail) }
}

/** A path as a person types it: relative to the working folder, `~` for the home folder. */
function localPath(cwd: string, typed: string): string {
  if (typed === '~' || typed.startsWith('~/') || typed.startsWith(`~${path.sep}`))
    return path.join(os.homedir(), typed.slice(1))
  return path.resolve(cwd, typed)
}
