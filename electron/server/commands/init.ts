import { formatData } from '../../../shared/protocol/index.js'
import type { CommandHandler } from './types.js'

/** Version of the bucket protocol spoken here, announced by `init`; 2 added `put_f`. */
export const PROTOCOL_VERSION = 2

export const init: CommandHandler<'init'> = async (_args, { write }) => {
  await write(formatData(`BucketShare protocol ${PROTOCOL_VERSION}`))
  return { code: 100 }
}
