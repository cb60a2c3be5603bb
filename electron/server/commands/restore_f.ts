import type { CommandHandler } from './types.js'

/** A file (its latest version in the trash), or a whole bucket when no file is named. */
export const restore_f: CommandHandler<'restore_f'> = async ([bucket, file], { store }) => {
  if (file === undefined) await store.restoreBucket(bucket)
  else await store.restoreFile(bucket, file)
  return { code: 1300 }
}
