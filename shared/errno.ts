/**
 * File-system failures in words a person (or a remote client) may read: a short reason such as
 * "no such bucket" or "disk full", never the error's own message, which names local paths.
 * Shared by the server's storage and the client's local files.
 */

/** What an operation was about, for reasons such as "no such bucket". */
export type Subject = 'bucket' | 'file' | 'folder'

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
    case 'EXDEV':
      return 'cannot move between drives'
    case 'ELOOP':
      return 'path goes through a link'
    default:
      return 'I/O error'
  }
}

/** The errno code of a file-system error ("ENOENT"), or undefined for anything else. */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined
}
