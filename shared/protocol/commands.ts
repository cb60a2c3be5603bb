import { codeLabel, CODES, type Code } from './codes.js'
import { formatData } from './responses.js'
import type { Permission } from './roles.js'

/**
 * The command vocabulary, defined once. The server dispatches on it, `help` and `code_r` are
 * generated from it, and the clients complete and check commands with it.
 *
 * `wire` is the syntax on the connection (what `nc` users type); `console` is what a person types in
 * the client console or the app's Console tab where it differs: there `upload` and `download` name a
 * local path and the client moves the bytes.
 */
export interface CommandSpec {
  /** Arguments on the wire; a trailing `?` marks an optional one. */
  args: readonly string[]
  wire: string
  console?: string
  description: string
  /** Code of a successful answer. */
  success: Code
  /** Code of a failed answer (400 BCMD is always possible too). */
  failure?: Code
  /** Allowed before the access code was given (when the host asks for one). */
  open?: true
  /**
   * What an access code's role must allow (see roles.ts), or any one of a list; absent: any code.
   * A command with a `bucket` argument also needs the bucket to be within the code's grant.
   */
  needs?: Permission | readonly Permission[]
  /** Changes the shared folder: refused by a read-only host. */
  writes?: true
  /** Its arguments are secrets: logs show `***` instead. */
  secret?: true
  /** Polled by clients: the server log leaves out its successful answers. */
  quiet?: true
  /**
   * Raw bytes follow the line at once, as many as its `size` argument says: the server takes them
   * all whatever it answers, so a refusal never leaves bytes to be read as commands.
   */
  bytesFollow?: true
}

export const COMMANDS = {
  init: {
    args: [],
    wire: 'init',
    description: 'Greet the server; it answers with the protocol version.',
    success: 100,
    open: true,
  },
  help: {
    args: ['command?'],
    wire: 'help [<command>]',
    description: 'List the commands with their syntax, or explain one command.',
    success: 100,
    open: true,
  },
  code_r: {
    args: [],
    wire: 'code_r',
    description: 'List every response code with its meaning.',
    success: 100,
    open: true,
  },
  quit: {
    args: [],
    wire: 'quit',
    description: 'Close the connection.',
    success: 200,
    open: true,
  },
  create_b: {
    args: ['bucket', 'folder?'],
    wire: 'create_b <name of the bucket> [<folder path>]',
    description:
      'Create a bucket with the given name, or a folder (and the folders above it) in a bucket.',
    success: 300,
    failure: 350,
    writes: true,
    needs: 'create',
  },
  delete_b: {
    args: ['bucket'],
    wire: 'delete_b <name of the bucket>',
    description: "Delete a bucket and every file in it (kept in the host's trash when it has one).",
    success: 600,
    failure: 650,
    writes: true,
    needs: 'delete',
  },
  ls_b: {
    args: [],
    wire: 'ls_b',
    description:
      'List the buckets the access code reaches, each with its number of files (0 for a drop code).',
    success: 500,
    failure: 550,
  },
  upload: {
    args: ['bucket', 'file', 'size', 'held?', 'sha256?'],
    wire: 'upload <name of bucket> <name of file> <size in bytes> [<held bytes> <their sha256>]',
    console: 'upload <path of the file or folder> [<name of file or folder>] <name of bucket>',
    description:
      'Upload a file to a bucket; a name may be a path (a/b/c.txt), whose folders are made. The server answers "-> ready <n>", then takes exactly <n> raw bytes: all of them, or those after the held bytes that resume_f reported.',
    success: 700,
    failure: 750,
    writes: true,
    needs: 'upload',
  },
  put_f: {
    args: ['bucket', 'file', 'size'],
    wire: 'put_f <name of bucket> <name of file> <size in bytes>',
    console: 'upload <path of the file or folder> [<name of file or folder>] <name of bucket>',
    description:
      'Upload a file whose <size> raw bytes follow the line at once, without waiting for "-> ready" (protocol 2): the server takes them all, even when it refuses, and answers as for upload. Several may be sent back to back; the answers come in order.',
    success: 700,
    failure: 750,
    writes: true,
    needs: 'upload',
    bytesFollow: true,
  },
  delete_f: {
    args: ['bucket', 'file'],
    wire: 'delete_f <name of bucket> <name of file>',
    description:
      "Delete a file from a bucket; a path (a/b) names a file or a folder, deleted with everything in it (kept in the host's trash when it has one).",
    success: 1000,
    failure: 1050,
    writes: true,
    needs: 'delete',
  },
  ls_f: {
    args: ['bucket?', 'folder?'],
    wire: 'ls_f [<name of bucket> [<folder path>]]',
    description:
      'List the files (path, size, modified) and empty folders (path/) of a bucket, of one folder in it, or of every bucket.',
    success: 800,
    failure: 850,
    needs: 'list',
  },
  download: {
    args: ['bucket', 'file', 'from?', 'version?'],
    wire: 'download <name of bucket> <name of file> [<from byte> [<version>]]',
    console: 'download <name of bucket> <name of file or folder> <path of destination>',
    description:
      'Download a file from a bucket. The server answers "-> size <n>", then sends the raw bytes; from a byte on, it first names the file\'s "-> version", and refuses with 1550 when it is not the version given.',
    success: 900,
    failure: 950,
    needs: 'download',
  },
  rename_f: {
    args: ['bucket', 'from', 'to'],
    wire: 'rename_f <name of bucket> <path of file or folder> <new path>',
    description:
      'Rename or move a file or folder within a bucket, making folders on the new path; never replaces anything.',
    success: 1200,
    failure: 1250,
    writes: true,
    needs: 'rename',
  },
  changes: {
    args: [],
    wire: 'changes',
    description:
      'Report the version of the shared folder; it differs from an earlier one once a bucket or file was created, deleted or replaced.',
    success: 1600,
    failure: 1650,
    quiet: true,
  },
  resume_f: {
    args: ['bucket', 'file', 'size'],
    wire: 'resume_f <name of bucket> <name of file> <size in bytes>',
    description:
      'Ask what the server holds of a file of that size: "-> held <bytes> <sha256>" of a cut upload it kept, and "-> same <sha256>" when the bucket has such a file already.',
    success: 1500,
    failure: 1550,
    // An uploader asks what is held, a reader whether its copy is the same.
    needs: ['upload', 'download'],
  },
  auth: {
    args: ['code'],
    wire: 'auth <access code>',
    description:
      'Give the access code the host shows. When the host has one, only init, help, code_r, quit and auth work before it.',
    success: 1100,
    failure: 1150,
    open: true,
    secret: true,
  },
  ls_t: {
    args: ['bucket?'],
    wire: 'ls_t [<name of bucket>]',
    description:
      'List the trash (of one bucket, or of every bucket the code reaches), newest first: what was deleted or replaced, when, by which code, from where.',
    success: 1700,
    failure: 1750,
    needs: 'trash',
  },
  restore_f: {
    args: ['bucket', 'file?'],
    wire: 'restore_f <name of bucket> [<name of file>]',
    description:
      'Put back the latest deleted or replaced version of a file from the trash, or a deleted bucket whole when no file is named.',
    success: 1300,
    failure: 1350,
    writes: true,
    needs: 'trash',
  },
} as const satisfies Record<string, CommandSpec>

export type Verb = keyof typeof COMMANDS

export const VERBS = Object.keys(COMMANDS) as Verb[]

export function isVerb(word: string): word is Verb {
  return Object.hasOwn(COMMANDS, word)
}

const SECRET_VERBS = VERBS.filter((v) => (COMMANDS[v] as CommandSpec).secret)

/**
 * A command line as it may be shown or written down anywhere (server log, host panel, transcript,
 * terminal): when its first word is a secret verb in any case, quoted or not, and however the rest
 * is (mis)formed, all that follows the verb becomes `***`. Errs on the side of hiding: a first word
 * that merely starts with the verb (`AUTH\u00a0code`, `"auth"code`) is masked too.
 */
export function shownLine(line: string): string {
  const text = line.replace(/^\uFEFF/, '').trimStart()
  const first = /^[^ \t]*/.exec(text)![0]
  const word = first.replaceAll('"', '').toLowerCase()
  const verb = SECRET_VERBS.find((v) => word.startsWith(v))
  if (verb === undefined) return line
  const typed = first.replaceAll('"', '').slice(0, verb.length)
  return `${typed} ***`
}

/**
 * Whether a line that could not be understood was meant as a command whose bytes follow it (its
 * first word, quotes dropped, is such a verb): the server cannot tell where those bytes end.
 */
export function announcesBytes(line: string): boolean {
  const first = /^[^ \t]*/.exec(line.replace(/^\uFEFF/, '').trimStart())![0].replaceAll('"', '')
  return isVerb(first) && (COMMANDS[first] as CommandSpec).bytesFollow === true
}

/** Smallest and largest number of arguments a verb takes on the wire. */
export function arity(verb: Verb): { min: number; max: number } {
  const args: readonly string[] = COMMANDS[verb].args
  return { min: args.filter((a) => !a.endsWith('?')).length, max: args.length }
}

/** Data lines of `help`: one command, or every command `shown` keeps (all by default). */
export function helpLines(verb?: Verb, shown: (verb: Verb) => boolean = () => true): string[] {
  const verbs = verb ? [verb] : VERBS.filter(shown)
  return verbs.flatMap((v) => {
    const spec: CommandSpec = COMMANDS[v]
    const lines = [formatData(`${spec.wire.padEnd(58)} ${spec.description}`)]
    if (spec.console) lines.push(formatData(`${''.padEnd(4)}in a client console: ${spec.console}`))
    return lines
  })
}

/** Data lines of `code_r`. */
export function codeLines(): string[] {
  return (Object.keys(CODES).map(Number) as Code[]).map((c) =>
    formatData(`${codeLabel(c).padEnd(10)} ${CODES[c].meaning}`),
  )
}
