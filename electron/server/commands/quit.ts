import type { CommandHandler } from './types.js'

export const quit: CommandHandler<'quit'> = async () => ({ code: 200, close: true })
