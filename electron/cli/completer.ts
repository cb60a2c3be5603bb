/**
 * Tab completion for the terminal client: commands first, then each argument by what it names:
 * a bucket, a file in the bucket named before it, or a local path (where upload reads and
 * download writes). Remote names are asked of the server only when Tab is pressed.
 */
import type { Dirent } from 'node:fs'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {
  COMMANDS,
  quote,
  splitTyped,
  tokenize,
  VERBS,
  type Verb,
} from '../../shared/protocol/index.js'

/** Where the names come from. Each may fail: completion then offers nothing. */
export interface CompletionSource {
  buckets(): Promise<string[]>
  files(bucket: string): Promise<string[]>
  /** Relative local paths start here. */
  cwd: string
}

type Kind = 'command' | 'bucket' | 'file' | 'local' | 'other'

/**
 * Where the console form differs from the wire (COMMANDS[verb].args): upload and download name a
 * local path. An upload's second argument is its bucket when the name is left out.
 */
const CONSOLE_ARGS: Partial<Record<Verb, readonly Kind[]>> = {
  upload: ['local', 'bucket', 'bucket'],
  download: ['bucket', 'file', 'local'],
}

/** What an argument of the wire syntax names, for those that name something that exists. */
const WIRE_KINDS: Record<string, Kind> = {
  command: 'command',
  bucket: 'bucket',
  file: 'file',
  // rename_f <bucket> <from> <to>: what is renamed is an existing file.
  from: 'file',
}

function kindOf(verb: string, index: number): Kind {
  if (!(VERBS as string[]).includes(verb)) return 'other'
  const console = CONSOLE_ARGS[verb as Verb]
  if (console) return console[index] ?? 'other'
  const arg = COMMANDS[verb as Verb].args[index]?.replace(/\?$/, '')
  return (arg === undefined ? undefined : WIRE_KINDS[arg]) ?? 'other'
}

/**
 * Completions for a line typed so far, in readline's shape: the candidates (as they would be
 * typed, quoted where needed) and the part of the line they replace. Never rejects.
 */
export async function complete(
  line: string,
  source: CompletionSource,
): Promise<[string[], string]> {
  const { done, partial, start } = splitTyped(line)
  const typed = line.slice(start)
  const [verb, ...args] = done
  const kind: Kind = verb === undefined ? 'command' : kindOf(verb, args.length)
  try {
    const names = await namesFor(kind, partial, args, source)
    return [names.map((n) => extend(typed, partial, n)), typed]
  } catch {
    return [[], typed]
  }
}

/** A name offered, and whether it is finished (a folder is not: more can be typed inside it). */
interface Name {
  text: string
  finished: boolean
}

async function namesFor(
  kind: Kind,
  partial: string,
  args: string[],
  source: CompletionSource,
): Promise<Name[]> {
  const matching = (names: string[]): Name[] =>
    names.filter((n) => n.startsWith(partial)).map((text) => ({ text, finished: true }))
  switch (kind) {
    case 'command':
      return matching(VERBS)
    case 'bucket':
      return matching(await source.buckets())
    case 'file': {
      const bucket = args.at(-1)
      return bucket === undefined ? [] : matching(await source.files(bucket))
    }
    case 'local':
      return localPaths(partial, source.cwd)
    case 'other':
      return []
  }
}

/**
 * The typed text completed to `name`. Readline only appends, so the candidate must start with
 * exactly what was typed: the rest is added in the quoting state the text is in (inside an open
 * quote, escaped; after bare text, a quoted part, which the tokenizer joins to it). A finished
 * name gets its closing quote and a space.
 */
function extend(typed: string, partial: string, name: Name): string {
  const rest = name.text.slice(partial.length)
  const end = name.finished ? ' ' : ''
  if (!tokenize(typed).ok) {
    const escaped = rest.replace(/[\\"]/g, (c) => `\\${c}`)
    return `${typed}${escaped}${name.finished ? '"' : ''}${end}`
  }
  if (typed === '') {
    const quoted = quote(name.text)
    return `${name.finished ? quoted : quoted.replace(/"$/, '')}${end}`
  }
  if (rest === '' || quote(rest) === rest) return `${typed}${rest}${end}`
  const quoted = quote(rest)
  return `${typed}${name.finished ? quoted : quoted.replace(/"$/, '')}${end}`
}

/**
 * Entries of the folder the partial path points into whose names start with what follows its
 * last separator; folders end with a separator and stay open for more typing. Hidden entries
 * only when the name typed starts with a dot.
 */
async function localPaths(partial: string, cwd: string): Promise<Name[]> {
  const cut = Math.max(partial.lastIndexOf('/'), partial.lastIndexOf(path.sep))
  const folderPart = partial.slice(0, cut + 1)
  const prefix = partial.slice(cut + 1)
  const folder = expandHome(folderPart === '' ? '.' : folderPart)
  const entries: Dirent[] = await fs.readdir(path.resolve(cwd, folder), { withFileTypes: true })
  return entries
    .filter((e) => e.name.startsWith(prefix) && (prefix.startsWith('.') || !e.name.startsWith('.')))
    .map((e) =>
      e.isDirectory()
        ? { text: `${folderPart}${e.name}/`, finished: false }
        : { text: folderPart + e.name, finished: true },
    )
    .sort((a, b) => a.text.localeCompare(b.text))
}

function expandHome(typed: string): string {
  if (typed === '~' || typed.startsWith('~/') || typed.startsWith(`~${path.sep}`))
    return path.join(os.homedir(), typed.slice(1))
  return typed
}
