import type { CommandHandler } from './types.js'

export const rename_f: CommandHandler<'rename_f'> = async ([bucket, from, to], { store }) => {
  await store.rename(bucket, from, to)
  return { code: 1200 }
}
