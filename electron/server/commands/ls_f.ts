import { formatData, formatListEntry, quote, reaches } from '../../../shared/protocol/index.js'
import type { CommandHandler } from './types.js'

export const ls_f: CommandHandler<'ls_f'> = async ([bucket, folder], { store, write, grant }) => {
  if (bucket !== undefined) {
    // A folder may be given as listed, with its trailing slash.
    const prefix = folder?.endsWith('/') && folder.length > 1 ? folder.slice(0, -1) : folder
    for await (const entry of store.listFiles(bucket, prefix)) await write(formatListEntry(entry))
  } else {
    for await (const entry of store.listAllFiles())
      if (reaches(grant.buckets, entry.bucket))
        await write(
          entry.file ? formatListEntry(entry.file, entry.bucket) : formatData(quote(entry.bucket)),
        )
  }
  return { code: 800 }
}
