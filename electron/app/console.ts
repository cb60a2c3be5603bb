import type { ConsoleEntry } from '../../shared/ipc.js'
import { formatStatus } from '../../shared/protocol/index.js'
import { runConsoleLine, transferOf, type ConsoleResult } from '../client/index.js'
import type { ConnectionService } from './connection.js'
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

  async run(line: string): Promise<ConsoleEntry> {
    const client = this.connection.connected
    if (!client)
      return this.transcript.add({
        source: 'console',
        command: line,
        lines: [],
        status: null,
        error: 'Not connected: connect to a server first',
      })
    const transfer = transferOf(line)
    let result: ConsoleResult = { lines: [], status: null, error: 'not run' }
    if (transfer) {
      // Shown in the transfer panel with its progress, and cancellable there.
      await this.transfers.follow(
        transfer.direction,
        transfer.bucket,
        transfer.name,
        async (signal, onProgress) => {
          result = await runConsoleLine(client, line, { cwd: this.cwd, signal, onProgress })
          if (result.transfer) return result.transfer
          if (result.tree) return { size: result.tree.bytes }
          throw new Error(
            result.error ??
              (result.status ? formatStatus(result.status.code, result.status.detail) : 'failed'),
          )
        },
      )
    } else result = await runConsoleLine(client, line, { cwd: this.cwd })
    return this.transcript.add({
      source: 'console',
      command: line,
      lines: result.lines,
      status: result.status,
      ...(result.error ? { error: result.error } : {}),
    })
  }
}
