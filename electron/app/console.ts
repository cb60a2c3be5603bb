import type { ConsoleEntry } from '../../shared/ipc.js'
import {
  CONSOLE_ORIGIN,
  runConsoleLine,
  transferOfLine,
  transferResultOf,
  type ConsoleResult,
} from '../client/index.js'
import type { ConnectionService } from './connection.js'
import { bridgeErrorOf } from './errors.js'
import type { Transcript } from './transcript.js'
import type { TransfersService } from './transfers.js'

/** The Console tab: lines typed in the vocabulary, run on the shared connection. */
export class ConsoleService {
  constructor(
    private readonly connection: ConnectionService,
    private readonly transcript: Transcript,
    private readonly transfers: TransfersService,
    /** Where relative local paths in `upload` and `download` start. */
    private readonly cwd: string,
  ) {}

  /** Runs a line; resolves with its transcript entry once it has been answered. */
  async run(line: string): Promise<ConsoleEntry> {
    const result = this.connection.connected
      ? await this.answer(line)
      : { lines: [], status: null, error: 'Not connected: connect to a server first' }
    return this.transcript.add({
      source: 'console',
      command: line,
      lines: result.lines,
      status: result.status,
      ...(result.error ? { error: result.error } : {}),
    })
  }

  private async answer(line: string): Promise<ConsoleResult> {
    const transfer = transferOfLine(line, this.cwd)
    if (!transfer) return runConsoleLine(this.connection.require(), line, { cwd: this.cwd })
    if ('refused' in transfer) return transfer.refused
    // A transfer like any other: in the transfer panel with its progress, cancellable there.
    let sent: string | undefined
    const { settled } = this.transfers.start(transfer.spec, {
      origin: CONSOLE_ORIGIN,
      onCommand: (l) => (sent = l),
    })
    return transferResultOf(transfer.spec, sent, await settled, (err) => bridgeErrorOf(err).message)
  }
}
