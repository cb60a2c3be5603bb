import { CODES, codeLabel, isCode, isSuccess, type Code } from './codes.js'
import { quote, tokenize } from './tokens.js'

/**
 * Response lines. Every response ends with exactly one status line, `<code> <ABBR>[ <detail>]`.
 * Lines before it carry data and start with the data prefix `-> `, so a reader always knows where a
 * response ends.
 */
export const DATA_PREFIX = '-> '

export type ResponseLine =
  | { kind: 'data'; text: string }
  | { kind: 'status'; status: Status }
  | { kind: 'garbage'; text: string }

export interface Status {
  code: Code
  abbr: string
  /** Human explanation sent after the abbreviation, e.g. the reason for a failure. */
  detail: string
  ok: boolean
}

export function formatStatus(code: Code, detail = ''): string {
  return detail ? `${codeLabel(code)} ${detail}` : codeLabel(code)
}

/** A status as `parseResponseLine` reads `formatStatus(code, detail)` back. */
export function statusOf(code: Code, detail = ''): Status {
  return { code, abbr: CODES[code].abbr, detail, ok: isSuccess(code) }
}

export function formatData(text: string): string {
  return DATA_PREFIX + text
}

export function parseResponseLine(line: string): ResponseLine {
  if (line.startsWith(DATA_PREFIX)) return { kind: 'data', text: line.slice(DATA_PREFIX.length) }
  const m = /^(\d+) ([A-Z]+)(?: (.*))?$/.exec(line)
  if (m) {
    const n = Number(m[1])
    if (isCode(n) && CODES[n].abbr === m[2])
      return {
        kind: 'status',
        status: statusOf(n, m[3] ?? ''),
      }
  }
  return { kind: 'garbage', text: line }
}

/* Transfer markers (data lines with a fixed form). */

/** Sent by the server after an accepted `upload` line: the client may now send the bytes. */
export function formatReady(size: number): string {
  return formatData(`ready ${size}`)
}
/** Sent by the server after an accepted `download` line, just before the raw bytes. */
export function formatSize(size: number): string {
  return formatData(`size ${size}`)
}
/** Sent after the bytes of a transfer, before the status line. */
export function formatDigest(sha256Hex: string): string {
  return formatData(`sha256 ${sha256Hex}`)
}

/**
 * Answer to `resume_f`: a cut upload the server kept, `bytes` long (durably on its disk), whose
 * content has this sha256.
 */
export function formatHeld(bytes: number, sha256Hex: string): string {
  return formatData(`held ${bytes} ${sha256Hex}`)
}
export function parseHeld(text: string): { bytes: number; sha256: string } | undefined {
  const m = /^held (\d{1,16}) ([0-9a-f]{64})$/.exec(text)
  const bytes = m ? parseSize(m[1]!) : undefined
  return bytes === undefined ? undefined : { bytes, sha256: m![2]! }
}
/** Answer to `resume_f`: the bucket has a file of that name and size already, with this sha256. */
export function formatSame(sha256Hex: string): string {
  return formatData(`same ${sha256Hex}`)
}
export function parseSame(text: string): string | undefined {
  return /^same ([0-9a-f]{64})$/.exec(text)?.[1]
}
/**
 * Sent before `-> size` by a download from a byte on: the file's version, a word the client gives
 * back to continue it (it changes whenever the file is written or replaced).
 */
export function formatVersion(version: string): string {
  return formatData(`version ${version}`)
}
export function parseVersion(text: string): string | undefined {
  return /^version ([0-9a-z.]{1,100})$/.exec(text)?.[1]
}

export function parseMarker(text: string, marker: 'ready' | 'size'): number | undefined {
  const m = new RegExp(`^${marker} (\\d{1,16})$`).exec(text)
  if (!m) return undefined
  const n = Number(m[1])
  return Number.isSafeInteger(n) ? n : undefined
}

export function parseDigest(text: string): string | undefined {
  return /^sha256 ([0-9a-f]{64})$/.exec(text)?.[1]
}

/** A byte count as sent on the wire: a plain decimal integer, at most 2^53 - 1. */
export function parseSize(text: string): number | undefined {
  if (!/^\d{1,16}$/.test(text)) return undefined
  const n = Number(text)
  return Number.isSafeInteger(n) ? n : undefined
}

/* Listings. */

export interface BucketEntry {
  name: string
  /** Number of files in the bucket. */
  files: number
}

export interface FileEntry {
  /** The file's path in its bucket: a name, or names joined by `/` for a file in a folder. */
  name: string
  /** Size in bytes. */
  size: number
  /** Last modification, milliseconds since the epoch (sent as ISO 8601 UTC). */
  modified: number
}

/** A folder under which nothing else is listed (an empty one), named by its path in the bucket. */
export interface FolderEntry {
  name: string
  folder: true
}

/** One data line of `ls_f <bucket>`: a file, or an empty folder. */
export type ListEntry = FileEntry | FolderEntry

export function isFolderEntry(e: ListEntry): e is FolderEntry {
  return 'folder' in e
}

/** `ls_b` data line: `<bucket> <files>`, e.g. `-> "holiday photos" 12`. */
export function formatBucketEntry(e: BucketEntry): string {
  return formatData(`${quote(e.name)} ${e.files}`)
}

export function parseBucketEntry(text: string): BucketEntry | undefined {
  const t = tokenize(text)
  if (!t.ok || t.tokens.length !== 2) return undefined
  const [name, files] = t.tokens as [string, string]
  const n = parseSize(files)
  return n === undefined ? undefined : { name, files: n }
}

/**
 * `ls_f <bucket>` data line: `<file> <size> <modified>`, e.g. `-> 2024/cat.jpg 48213 2026-11-24T10:15:00Z`,
 * or `<folder>/` for an empty folder. `ls_f` without a bucket prefixes each line with its bucket,
 * and lists an empty bucket as its name alone, so every bucket appears.
 */
export function formatListEntry(e: ListEntry, bucket?: string): string {
  const head = bucket === undefined ? '' : `${quote(bucket)} `
  if (isFolderEntry(e)) return formatData(`${head}${quote(`${e.name}/`)}`)
  const modified = isoSeconds(e.modified)
  return formatData(`${head}${quote(e.name)} ${e.size} ${modified}`)
}

export function parseListEntry(text: string): ListEntry | undefined {
  const t = tokenize(text)
  if (!t.ok) return undefined
  if (t.tokens.length === 1) return folderFromToken(t.tokens[0]!)
  if (t.tokens.length !== 3) return undefined
  return fileFromTokens(t.tokens as [string, string, string])
}

/** A data line of `ls_f` without a bucket: a file or empty folder with its bucket, or an empty bucket. */
export function parseAnyFileEntry(text: string): { bucket: string; file?: ListEntry } | undefined {
  const t = tokenize(text)
  if (!t.ok) return undefined
  if (t.tokens.length === 1) return { bucket: t.tokens[0]! }
  if (t.tokens.length === 2) {
    const folder = folderFromToken(t.tokens[1]!)
    return folder && { bucket: t.tokens[0]!, file: folder }
  }
  if (t.tokens.length !== 4) return undefined
  const [bucket, ...rest] = t.tokens as [string, string, string, string]
  const file = fileFromTokens(rest as [string, string, string])
  return file && { bucket, file }
}

function folderFromToken(token: string): FolderEntry | undefined {
  return token.length > 1 && token.endsWith('/')
    ? { name: token.slice(0, -1), folder: true }
    : undefined
}

function fileFromTokens([name, size, modified]: [string, string, string]): FileEntry | undefined {
  const bytes = parseSize(size)
  const time = Date.parse(modified)
  if (bytes === undefined || Number.isNaN(time)) return undefined
  return { name, size: bytes, modified: time }
}

/** What the trash holds, as `ls_t` lists it. */
export interface TrashEntry {
  bucket: string
  /** The file's name; empty for a whole deleted bucket. */
  file: string
  /** Bytes (of every file, for a bucket). */
  size: number
  /** When it was removed, milliseconds since the epoch (sent as ISO 8601 UTC). */
  deletedAt: number
  /** `deleted` (delete_f, delete_b) or `replaced` (an upload of the same name). */
  cause: 'deleted' | 'replaced'
  /** Label of the access code that removed it. */
  by: string
  /** Address of the client that removed it. */
  from: string
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/**
 * `ls_t` data line: `<bucket> <file> <size> <deleted> <cause> <by> <from>`, e.g.
 * `-> photos cat.jpg 48213 2026-11-29T10:15:00Z deleted family 192.168.1.7`; a whole bucket has
 * `""` for its file.
 */
export function formatTrashEntry(e: TrashEntry): string {
  return formatData(
    [
      quote(e.bucket),
      quote(e.file),
      e.size,
      isoSeconds(e.deletedAt),
      e.cause,
      quote(e.by),
      e.from,
    ].join(' '),
  )
}

export function parseTrashEntry(text: string): TrashEntry | undefined {
  const t = tokenize(text)
  if (!t.ok || t.tokens.length !== 7) return undefined
  const [bucket, file, size, deleted, cause, by, from] = t.tokens as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ]
  const bytes = parseSize(size)
  const deletedAt = Date.parse(deleted)
  if (bytes === undefined || Number.isNaN(deletedAt)) return undefined
  if (cause !== 'deleted' && cause !== 'replaced') return undefined
  return { bucket, file, size: bytes, deletedAt, cause, by, from }
}
