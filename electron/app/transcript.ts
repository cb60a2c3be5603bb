import type { ConsoleEntry } from '../../shared/ipc.js'
import { shownLine, statusOf, verbOf } from '../../shared/protocol/index.js'
import { ProtocolError, type CommandRecord } from '../client/index.js'
import { bridgeErrorOf } from './errors.js'
import type { Emit } from './events.js'

/**
 * The one conversation both tabs show: every command sent, by the Console tab or on behalf of the
 * GUI, with its response. Entries are numbered and published as `console:entry` events.
 */
export class Transcript {
  private nextId = 1

  constructor(private readonly emit: Emit) {}

  /** Adds an entry; an access code in its command is masked before it is shown anywhere. */
  add(entry: Omit<ConsoleEntry, 'id' | 'time'>): ConsoleEntry {
    const full: ConsoleEntry = {
      ...entry,
      command: shownLine(entry.command),
      id: this.nextId++,
      time: Date.now(),
    }
    this.emit('console:entry', full)
    return full
  }

  /**
   * Adds a command the GUI had the client send: a person's action, or the app's own listing to
   * keep the view current (`auto`, which the Console folds away).
   */
  addRecord(record: CommandRecord): ConsoleEntry {
    const { line: command, response, error } = record
    const source = HOUSEKEEPING.has(verbOf(command) ?? '') ? 'auto' : 'gui'
    if (response)
      return this.add({ source, command, lines: response.lines, status: response.status })
    if (error instanceof ProtocolError)
      return this.add({ source, command, lines: [], status: statusOf(error.code, error.detail) })
    return this.add({
      source,
      command,
      lines: [],
      status: null,
      error: error ? bridgeErrorOf(error).message : 'no answer',
    })
  }
}

/** What the GUI sends to keep its view current, not because a person asked for it. */
const HOUSEKEEPING = new Set(['init', 'changes', 'ls_b', 'ls_f'])
