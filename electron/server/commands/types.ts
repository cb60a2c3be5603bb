import type { Hash } from 'node:crypto'
import type { COMMANDS, Code, Grant, Verb } from '../../../shared/protocol/index.js'
import type { Actor, Store } from '../../storage/index.js'
import type { AccessCheck } from '../access.js'

/** How a command ends: the status line to send, and whether to close the connection after it. */
export interface Outcome {
  code: Code
  detail?: string
  close?: boolean
  /** Added to the log line of the command, e.g. "resumed at 1048576". */
  note?: string
}

/** Where the raw bytes of an upload go. */
export interface ByteSink {
  /** Takes bytes lent for this call only (see Upload.write); false: wait for whenWritable(). */
  write(chunk: Uint8Array): boolean
  whenWritable(): Promise<void>
}

/** What a command may do on its connection. Every method fails with ConnectionLost once it closed. */
export interface CommandContext {
  /** Where the buckets rest. */
  readonly store: Store
  /** Checks an access code; on success the session may run what its grant allows. */
  authenticate(code: string): Promise<AccessCheck>
  /**
   * What the session's access code may do, as the host has it for this command (the host may
   * change it between commands). Commands and buckets outside it were refused before the handler
   * ran; handlers use it to leave out of listings what it does not reach.
   */
  readonly grant: Grant
  /** Who runs the command, as the trash records it. */
  readonly actor: Actor
  /** Whether `help` shows a verb: what this session may run. */
  mayRun(verb: Verb): boolean
  /** Writes a line in the server log about this connection. */
  log(text: string): void
  /** Sends one data line (already formatted, `-> …`), waiting when the client reads slowly. */
  write(line: string): Promise<void>
  /** Answers `-> ready <size>`, then hands exactly `size` raw bytes from the client to `sink`. */
  receive(size: number, sink: ByteSink): Promise<void>
  /**
   * Answers `-> size <size>`, then sends exactly `size` bytes of `source`, and returns the sha256
   * in hex: `known` when it is one, else that of the bytes on the way, after those `known` hashed
   * already when it is a hash going on. When `source` fails or falls short the connection is
   * closed, as the client could not otherwise tell.
   */
  transmit(source: AsyncIterable<Uint8Array>, size: number, known?: string | Hash): Promise<string>
}

/** The arguments of a verb as a tuple: `['bucket', 'file']` → `[string, string]`. */
type ArgTuple<A extends readonly string[]> = {
  -readonly [K in keyof A]: A[K] extends `${string}?` ? string | undefined : string
}

export type CommandArgs<V extends Verb> = ArgTuple<(typeof COMMANDS)[V]['args']>

/**
 * Runs one command whose arity was already checked. Succeeds with an Outcome; fails by throwing
 * (a ProtocolError with its code, or a StoreError answered with the verb's failure code).
 */
export type CommandHandler<V extends Verb> = (
  args: CommandArgs<V>,
  context: CommandContext,
) => Promise<Outcome>

export type CommandTable = { [V in Verb]: CommandHandler<V> }
