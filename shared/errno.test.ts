import { describe, expect, it } from 'vitest'
import { errnoOf, reasonFor } from './errno.js'

describe('reasonFor', () => {
  it.each([
    ['ENOENT', 'bucket', 'no such bucket'],
    ['ENOTDIR', 'file', 'no such file'],
    ['EEXIST', 'bucket', 'bucket already exists'],
    ['EISDIR', 'file', 'a folder has that name'],
    ['ENOTEMPTY', 'folder', 'folder is not empty'],
    ['ENOSPC', 'file', 'disk full'],
    ['EDQUOT', 'file', 'disk full'],
    ['EACCES', 'folder', 'permission denied'],
    ['EPERM', 'file', 'permission denied'],
    ['EROFS', 'file', 'read-only file system'],
    ['EBUSY', 'file', 'file is in use'],
    ['EMFILE', 'file', 'too many open files'],
    ['ENAMETOOLONG', 'file', 'path too long'],
    ['EIO', 'file', 'I/O error'],
    ['', 'file', 'I/O error'],
  ] as const)('words %s about a %s as %j', (errno, subject, reason) => {
    expect(reasonFor(errno, subject)).toBe(reason)
  })
})

describe('errnoOf', () => {
  it('reads the code of a file-system error only', () => {
    expect(errnoOf(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toBe('ENOSPC')
    expect(errnoOf(Object.assign(new Error('x'), { code: 'ERR_STREAM_DESTROYED' }))).toBe(undefined)
    expect(errnoOf(new Error('x'))).toBe(undefined)
    expect(errnoOf(null)).toBe(undefined)
  })
})
