import { errnoOf, reasonFor, type Subject } from '../../shared/errno.js'

/**
 * File-system failures of the folder store, as errors carrying the reason a client may read
 * (worded by shared/errno.ts, never the error's message, which names server paths).
 */

export type { Subject } from '../../shared/errno.js'

/**
 * A host that cannot start: its folder or object store cannot be opened, or its address cannot be
 * listened on. The message is for the person starting it (it may name their own paths), never for
 * a client.
 */
export class SetupError extends Error {
  override readonly name = 'SetupError'
}

/** A failure of the folder store, with a reason fit to send to a client. */
export class StoreError extends Error {
  override readonly name = 'StoreError'

  constructor(
    readonly reason: string,
    /** The errno code behind it (e.g. "ENOSPC"), for the server's own log. */
    readonly errno?: string,
  ) {
    super(reason)
  }
}

/** A transfer cannot go on from the point the client named: it should start from 0. */
export class ResumeRefused extends StoreError {}

/**
 * Turns a file-system error into a StoreError about `subject`. Anything else (a StoreError already,
 * or a programming error) passes through unchanged.
 */
export function toStoreError(err: unknown, subject: Subject): unknown {
  if (err instanceof StoreError) return err
  const errno = errnoOf(err)
  return errno ? new StoreError(reasonFor(errno, subject), errno) : err
}

/** Runs `work`, reporting its file-system failures as StoreErrors about `subject`. */
export async function withStoreErrors<T>(subject: Subject, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (err) {
    throw toStoreError(err, subject)
  }
}
