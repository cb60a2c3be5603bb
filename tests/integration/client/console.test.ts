import fs from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runConsoleLine, transferOfLine } from '../../../electron/client/index.js'
import { fixture, type Fixture } from './helpers.js'

let f: Fixture
afterEach(() => f?.stop())

describe('runConsoleLine', () => {
  it('sends ordinary commands exactly as typed', async () => {
    f = await fixture()
    const c = await f.connect()
    const result = await runConsoleLine(c, 'create_b   "two words"', { cwd: f.local })
    expect(result).toMatchObject({
      sent: 'create_b   "two words"',
      lines: [],
      status: { code: 300 },
    })
    expect((await runConsoleLine(c, 'ls_b', { cwd: f.local })).lines).toEqual(['"two words" 0'])
  })

  it('uploads and downloads local paths, relative to the working folder', async () => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('b')
    await fs.writeFile(path.join(f.local, 'in.txt'), 'content')
    const up = await runConsoleLine(c, 'upload in.txt "a file" b', { cwd: f.local })
    expect(up.sent).toBe('put_f b "a file" 7')
    expect(up.status).toMatchObject({ code: 700, abbr: 'FUTBS', ok: true })
    const down = await runConsoleLine(c, 'download b "a file" out.txt', { cwd: f.local })
    expect(down.sent).toBe('download b "a file" 0')
    expect(down.status?.code).toBe(900)
    expect(await fs.readFile(path.join(f.local, 'out.txt'), 'utf8')).toBe('content')
  })

  it('refuses a download into a folder that does not exist, and never makes a file of it', async () => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('b')
    await fs.writeFile(path.join(f.root, 'b', 'x'), 'x')
    const down = await runConsoleLine(c, 'download b x missing/', { cwd: f.local })
    expect(down).toMatchObject({ status: null, error: expect.stringContaining('no such folder') })
    expect(await fs.readdir(f.local)).toEqual([])
    await fs.mkdir(path.join(f.local, 'there'))
    const into = await runConsoleLine(c, 'download b x there/', { cwd: f.local })
    expect(into.status?.code).toBe(900)
    expect(await fs.readFile(path.join(f.local, 'there', 'x'), 'utf8')).toBe('x')
  })

  it('expands ~ to the home folder in local paths', async () => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('b')
    await fs.writeFile(path.join(f.root, 'b', 'x'), 'x')
    const home = process.env['HOME']
    process.env['HOME'] = f.local
    try {
      const down = await runConsoleLine(c, 'download b x ~/copy', { cwd: '/' })
      expect(down.status?.code).toBe(900)
    } finally {
      process.env['HOME'] = home
    }
    expect(await fs.readFile(path.join(f.local, 'copy'), 'utf8')).toBe('x')
  })

  it('reports a local path it cannot use without asking the server or cutting a connection', async () => {
    f = await fixture()
    const log: string[] = []
    f.server.on('log', ({ text }) => log.push(text))
    const c = await f.connect()
    await c.createBucket('b')
    await fs.writeFile(path.join(f.root, 'b', 'x'), 'x'.repeat(100_000))
    const down = await runConsoleLine(c, 'download b x nope/x', { cwd: f.local })
    expect(down.error).toBe(`cannot write "${path.join(f.local, 'nope', 'x')}": no such folder`)
    const up = await runConsoleLine(c, 'upload nothing-here b', { cwd: f.local })
    expect(up.error).toContain('no such file')
    // The transfer connection stayed in step and is used again.
    const fine = await runConsoleLine(c, 'download b x copy', { cwd: f.local })
    expect(fine.status?.code).toBe(900)
    expect(log.filter((l) => / (download|upload) /.test(l))).toHaveLength(1)
    expect(log.filter((l) => l.includes('disconnected'))).toEqual([])
  })

  it('names an upload after the local file when no name is given', async () => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('b')
    await fs.mkdir(path.join(f.local, 'sub'))
    await fs.writeFile(path.join(f.local, 'sub', 'notes.txt'), 'hi')
    const result = await runConsoleLine(c, 'upload sub/notes.txt b', { cwd: f.local })
    expect(result).toMatchObject({ sent: 'put_f b notes.txt 2', status: { code: 700 } })
    expect(transferOfLine('upload sub/notes.txt b', f.local)).toMatchObject({
      spec: { direction: 'upload', bucket: 'b', name: 'notes.txt' },
    })
    expect(await fs.readFile(path.join(f.root, 'b', 'notes.txt'), 'utf8')).toBe('hi')
  })

  it('answers a transfer with the wrong number of arguments with 400 BCMD and its console usage', async () => {
    f = await fixture()
    const c = await f.connect()
    const result = await runConsoleLine(c, 'upload only-a-path', { cwd: f.local })
    expect(result.sent).toBeUndefined()
    expect(result.status).toMatchObject({
      code: 400,
      detail:
        'usage: upload <path of the file or folder> [<name of file or folder>] <name of bucket>',
    })
  })

  it('shows refusals with their code, and local problems as errors without a code', async () => {
    f = await fixture()
    const c = await f.connect()
    await fs.writeFile(path.join(f.local, 'x'), 'x')
    const refused = await runConsoleLine(c, 'upload x x ghost', { cwd: f.local })
    expect(refused).toMatchObject({
      sent: 'put_f ghost x 1',
      status: { code: 750, detail: 'no such bucket' },
    })
    const missing = await runConsoleLine(c, 'upload nothing-here x b', { cwd: f.local })
    expect(missing.status).toBeNull()
    expect(missing.error).toContain('no such file')
  })

  it('reports a broken connection instead of throwing', async () => {
    f = await fixture()
    const c = await f.connect()
    c.close()
    const result = await runConsoleLine(c, 'ls_b', { cwd: f.local })
    expect(result.status).toBeNull()
    expect(result.error).toBe('disconnected')
  })
})
