import { formatTrashEntry, ProtocolError, reaches } from '../../../shared/protocol/index.js'
import type { CommandHandler } from './types.js'

/** The trash of one bucket, or of every bucket the code reaches, newest first. */
export const ls_t: CommandHandler<'ls_t'> = async ([bucket], { store, write, grant }) => {
  if (!store.trash) throw new ProtocolError(1750, 'the host keeps no trash')
  const wanted = bucket?.normalize('NFC')
  const records = store.trash.list((r) =>
    wanted === undefined ? reaches(grant.buckets, r.bucket) : r.bucket === wanted,
  )
  for (const record of records) await write(formatTrashEntry(record))
  return { code: 1700 }
}
