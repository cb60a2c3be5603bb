import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {
  CODES,
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
import { downloadTree, uploadTree, type TreeProgress, type TreeResult } from './trees.js'
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
  /** For a successful upload or download of a folder: what it moved. */
  tree?: TreeResult
}

export interface ConsoleOptions {
  /** Relative local paths are resolved against it. */
  cwd: string
  /** A tree transfer's progress tells whole files too (TreeProgress). */
  onProgress?: (progress: Progress | TreeProgress) => void
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
        const at = localPath(options.cwd, transfer.local)
        if (transfer.verb === 'download') {
          await checkFolder(transfer.local, at)
          const got = await downloadFileOrTree(client, { ...common, ...transfer, local: at })
          if ('tree' in got) return treeResult(900, got.tree)
          return { sent, ...got.file.response, transfer: got.file }
        }
        if (await isFolder(at))
          return treeResult(700, await uploadTree(client, { ...common, ...transfer, local: at }))
        const result = await client.upload({
          ...common,
          source: fileSource(at),
          name: transfer.name,
          bucket: transfer.bucket,
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

/**
 * A download names a file or a folder; only the server knows which. A file is asked for first, as
 * most are; a folder's tree is downloaded when no file has the name.
 */
async function downloadFileOrTree(
  client: BucketClient,
  options: {
    bucket: string
    name: string
    local: string
    signal?: AbortSignal
    onProgress?: (progress: Progress) => void
    onCommand: (line: string) => void
    origin: string
  },
): Promise<{ file: TransferResult } | { tree: TreeResult }> {
  try {
    return { file: await client.download({ ...options, target: fileTarget(options.local) }) }
  } catch (err) {
    if (!(err instanceof ProtocolError && err.code === 950 && err.detail === 'no such file'))
      throw err
    const tree = await downloadTree(client, options).catch((failure: unknown) => {
      // Neither a file nor a folder: the file's answer says it best.
      throw failure instanceof ProtocolError && failure.code === 850 ? err : failure
    })
    return { tree }
  }
}

/** A tree transfer's summary as a console answer: one data line and the status. */
function treeResult(code: 700 | 900, tree: TreeResult): ConsoleResult {
  const where = tree.path ? ` into ${tree.path}` : ''
  return {
    lines: [`${tree.files} files (${tree.bytes} bytes), ${tree.folders} empty folders${where}`],
    status: { code, abbr: CODES[code].abbr, detail: '', ok: true },
    tree,
  }
}

async function isFolder(local: string): Promise<boolean> {
  return (await fs.stat(local).catch(() => undefined))?.isDirectory() ?? false
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
