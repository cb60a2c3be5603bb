import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { listFolder } from '../../../electron/app/folders.js'

let base: string
beforeEach(async () => {
  base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-folders-')))
  await fs.mkdir(path.join(base, 'Photos', 'Summer'), { recursive: true })
  await fs.mkdir(path.join(base, 'music'))
  await fs.mkdir(path.join(base, '.hidden'))
  await fs.writeFile(path.join(base, 'notes.txt'), 'not a folder')
  await fs.symlink(path.join(base, 'Photos'), path.join(base, 'photo link'))
})
afterEach(() => fs.rm(base, { recursive: true, force: true }))

describe('the folder browser of browser mode', () => {
  it('lists the sub-folders only, sorted, hidden ones left out, links to folders included', async () => {
    expect(await listFolder(base)).toEqual({
      path: base,
      parent: path.dirname(base),
      folders: ['music', 'photo link', 'Photos'],
    })
  })

  it('starts at the home folder and ends at the top of the file system', async () => {
    expect((await listFolder(undefined)).path).toBe(await fs.realpath(os.homedir()))
    expect((await listFolder('/')).parent).toBeNull()
  })

  it('answers with real paths: no dot-dot and no link survives', async () => {
    expect((await listFolder(path.join(base, 'music', '..', 'Photos'))).path).toBe(
      path.join(base, 'Photos'),
    )
    expect((await listFolder(path.join(base, 'photo link'))).folders).toEqual(['Summer'])
    expect((await listFolder(path.join(base, 'photo link'))).path).toBe(path.join(base, 'Photos'))
  })

  it('refuses relative paths, NUL bytes, files and missing folders with a clear reason', async () => {
    await expect(listFolder('Photos')).rejects.toThrow('Give a full path')
    await expect(listFolder(`${base}\0/etc`)).rejects.toThrow('Give a full path')
    await expect(listFolder(path.join(base, 'notes.txt'))).rejects.toThrow('is not a folder')
    await expect(listFolder(path.join(base, 'missing'))).rejects.toThrow('no such folder')
  })
})
