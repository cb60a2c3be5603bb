import { auth } from './auth.js'
import { changes } from './changes.js'
import { code_r } from './code_r.js'
import { create_b } from './create_b.js'
import { delete_b } from './delete_b.js'
import { delete_f } from './delete_f.js'
import { download } from './download.js'
import { help } from './help.js'
import { init } from './init.js'
import { ls_b } from './ls_b.js'
import { ls_f } from './ls_f.js'
import { ls_t } from './ls_t.js'
import { put_f } from './put_f.js'
import { quit } from './quit.js'
import { rename_f } from './rename_f.js'
import { restore_f } from './restore_f.js'
import { resume_f } from './resume_f.js'
import type { CommandTable } from './types.js'
import { upload } from './upload.js'

/** The dispatch table: one handler per verb of the shared registry, one file per command. */
export const HANDLERS: CommandTable = {
  init,
  help,
  code_r,
  quit,
  create_b,
  delete_b,
  ls_b,
  upload,
  put_f,
  delete_f,
  ls_f,
  download,
  changes,
  rename_f,
  resume_f,
  auth,
  ls_t,
  restore_f,
}

export { PROTOCOL_VERSION } from './init.js'
export type { ByteSink, CommandContext, CommandHandler, Outcome } from './types.js'
