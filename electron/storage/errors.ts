/**
 * The one place where file-system failures become words a client may read. Clients get a short
 * reason ("no such bucket", "disk full"), never the error's message, which names server paths.
 */

/** What an operation was about, for reasons such as "no such bucket". */
export type Subject = 'bucket' | 'file' | 'folder'

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

export function reasonFor(errno: string, subject: Subject): string {
  switch (errno) {
    case 'ENOENT':
    case 'ENOTDIR':
      return `no such ${subject}`
    case 'EEXIST':
      return `${subject} already exists`
    case 'EISDIR':
      return 'a folder has that name'
    case 'ENOTEMPTY':
      return 'folder is not empty'
    case 'ENOSPC':
    case 'EDQUOT':
      return 'disk full'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'EROFS':
      return 'read-only file system'
    case 'EBUSY':
      return `${subject} is in use`
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files'
    case 'ENAMETOOLONG':
      return 'path too long'
    default:
      return 'I/O error'
  }
}

function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined
}

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
export async function about<T>(subject: Subject, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (err) {
    throw toStoreError(err, subject)
  }
}
