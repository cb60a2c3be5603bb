import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {
  COMMANDS,
  formatStatus,
  parseResponseLine,
  ProtocolError,
  tokenize,
  type Code,
  type Status,
} from '../../shared/protocol/index.js'
import type { BucketClient } from './client.js'
import { fileSource, fileTarget, LocalFileError } from './endpoints.js'
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

/** The transfer a console line asks for, if it is one: to show its progress. */
export function transferOf(
  line: string,
): { direction: 'upload' | 'download'; bucket: string; name: string } | undefined {
  const parsed = tokenize(line)
  const transfer = parsed.ok ? consoleTransfer(parsed.tokens) : undefined
  return transfer && { direction: transfer.verb, bucket: transfer.bucket, name: transfer.name }
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
}

export interface ConsoleOptions {
  /** Relative local paths are resolved against it. */
  cwd: string
  onProgress?: (progress: Progress) => void
  signal?: AbortSignal
}

/**
 * Runs one line typed in a console (the CLI's or the app's) in the vocabulary users know. Every
 * command goes to the server as typed, except `upload` and `download`, which name a local path:
 * the client reads or writes that path and the wire carries the bytes. Never throws.
 */
export async function runConsoleLine(
  client: BucketClient,
  line: string,
  options: ConsoleOptions,
): Promise<ConsoleResult> {
  const parsed = tokenize(line)
  const verb = parsed.ok ? parsed.tokens[0] : undefined
  try {
    if (parsed.ok && (verb === 'upload' || verb === 'download')) {
      const transfer = consoleTransfer(parsed.tokens)
      if (!transfer) return local(400, `usage: ${COMMANDS[verb].console}`)
      let sent: string | undefined
      const common = {
        signal: options.signal,
        onProgress: options.onProgress,
        onCommand: (l: string) => (sent = l),
        origin: CONSOLE_ORIGIN,
      }
      try {
        if (transfer.verb === 'download')
          await checkFolder(transfer.local, localPath(options.cwd, transfer.local))
        const result: TransferResult =
          transfer.verb === 'upload'
            ? await client.upload({
                ...common,
                source: fileSource(localPath(options.cwd, transfer.local)),
                name: transfer.name,
                bucket: transfer.bucket,
              })
            : await client.download({
                ...common,
                bucket: transfer.bucket,
                name: transfer.name,
                target: fileTarget(localPath(options.cwd, transfer.local)),
              })
        return { sent, ...result.response, transfer: result }
      } catch (err) {
        if (err instanceof ProtocolError) return { sent, ...local(err.code, err.detail) }
        return { sent, lines: [], status: null, error: (err as Error).message }
      }
    }
    const response = await client.send(line, { origin: CONSOLE_ORIGIN })
    return { sent: line, ...response }
  } catch (err) {
    return { lines: [], status: null, error: (err as Error).message }
  }
}

function local(code: Code, detail: string): ConsoleResult {
  const parsed = parseResponseLine(formatStatus(code, detail))
  return { lines: [], status: parsed.kind === 'status' ? parsed.status : null }
}

/**
 * A destination typed with a trailing separator (`photos/`, `.`) names a folder: it must exist.
 * Otherwise the download would become a file named like the folder.
 */
async function checkFolder(typed: string, resolved: string): Promise<void> {
  if (!/[\\/]$|^\.{1,2}$|^~$/.test(typed)) return
  const stats = await fs.stat(resolved).catch(() => undefined)
  if (!stats?.isDirectory())
    throw new LocalFileError(`cannot write into "${resolved}": no such folder`)
}

/** A path as a person types it: relative to the working folder, `~` for the home folder. */
function localPath(cwd: string, typed: string): string {
  if (typed === '~' || typed.startsWith('~/') || typed.startsWith(`~${path.sep}`))
    return path.join(os.homedir(), typed.slice(1))
  return path.resolve(cwd, typed)
}
