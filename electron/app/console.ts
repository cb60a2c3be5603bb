import type { ConsoleEntry } from '../../shared/ipc.js'
import { runConsoleLine } from '../client/index.js'
import type { ConnectionService } from './connection.js'
import type { Transcript } from './transcript.js'

/** The Console tab: lines typed in the vocabulary, run on the shared connection. */
export class ConsoleService {
  constructor(
    private readonly connection: ConnectionService,
    private readonly transcript: Transcript,
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
    const result = await runConsoleLine(client, line, { cwd: this.cwd })
    return this.transcript.add({
      source: 'console',
      command: line,
      lines: result.lines,
      status: result.status,
      ...(result.error ? { error: result.error } : {}),
    })
  }
}
