import { formatData, formatFileEntry, quote } from '../../../shared/protocol/index.js'
import type { CommandHandler } from './types.js'

export const ls_f: CommandHandler<'ls_f'> = async ([bucket], { store, write }) => {
  if (bucket !== undefined) {
    for await (const file of store.listFiles(bucket)) await write(formatFileEntry(file))
  } else {
    for await (const entry of store.listAllFiles())
      await write(
        entry.file ? formatFileEntry(entry.file, entry.bucket) : formatData(quote(entry.bucket)),
      )
  }
  return { code: 800 }
}
