import fs from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startTestServer, upload, type TestServer } from './helpers.js'

let t: TestServer
afterEach(() => t?.stop())

describe('delete_f', () => {
  it('deletes a file: 1000 FDS', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    await upload(c, 'b', '"my notes.txt"', 'n')
    expect(await c.command('delete_f b "my notes.txt"')).toEqual({ data: [], status: '1000 FDS' })
    expect(await fs.readdir(path.join(t.root, 'b'))).toEqual([])
  })

  it('finds the file by either Unicode form', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    await upload(c, 'b', 'café.txt'.normalize('NFC'), 'c')
    expect((await c.command(`delete_f b ${'café.txt'.normalize('NFD')}`)).status).toBe('1000 FDS')
  })

  it.each([
    ['b ghost.txt', '1050 FDF no such file'],
    ['nobucket a.txt', '1050 FDF no such bucket'],
    ['b sub/nothing', '1050 FDF no such file'],
    ['b sub/../..', '1050 FDF ".." is not a file name'],
    ['b ..', '1050 FDF ".." is not a file name'],
    ['b "a\\\\b"', '1050 FDF file name may not contain "\\"'],
  ])('refuses %s', async (args, status) => {
    t = await startTestServer()
    await fs.mkdir(path.join(t.root, 'b', 'sub'), { recursive: true })
    const c = await t.connect()
    expect(await c.command(`delete_f ${args}`)).toEqual({ data: [], status })
    expect(await fs.readdir(path.join(t.root, 'b'))).toEqual(['sub'])
  })

  it('needs a bucket and a file', async () => {
    t = await startTestServer()
    const c = await t.connect()
    expect((await c.command('delete_f b')).status).toBe(
      '400 BCMD usage: delete_f <name of bucket> <name of file>',
    )
  })
})
