import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { complete, type CompletionSource } from '../../electron/cli/completer.js'
import { tokenize } from '../../shared/protocol/index.js'

let cwd: string
/** What the server was asked, to show remote names are fetched only where they are needed. */
const asked: string[] = []
let source: CompletionSource

beforeAll(async () => {
  cwd = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-complete-')))
  await fs.mkdir(path.join(cwd, 'holiday photos'))
  await fs.writeFile(path.join(cwd, 'holiday photos', 'beach.jpg'), '')
  await fs.writeFile(path.join(cwd, 'notes.txt'), '')
  await fs.writeFile(path.join(cwd, 'notes-old.txt'), '')
  await fs.writeFile(path.join(cwd, '.hidden'), '')
  source = {
    cwd,
    buckets: async () => {
      asked.push('ls_b')
      return ['photos', 'papers', 'my bucket']
    },
    files: async (bucket) => {
      asked.push(`ls_f ${bucket}`)
      if (bucket !== 'photos') throw new Error('no such bucket')
      return ['beach.jpg', 'birthday cake.jpg', 'map.png']
    },
  }
})
afterAll(() => fs.rm(cwd, { recursive: true, force: true }))

/** The candidates for `line`, after checking readline's rule: each starts with what it replaces. */
async function candidates(line: string): Promise<string[]> {
  const [hits, replaced] = await complete(line, source)
  expect(line.endsWith(replaced)).toBe(true)
  for (const hit of hits) expect(hit.startsWith(replaced)).toBe(true)
  return hits
}

describe('Tab completion in the terminal client', () => {
  it('completes commands first', async () => {
    expect(await candidates('ls')).toEqual(['ls_b ', 'ls_f ', 'ls_t '])
    expect(await candidates('dow')).toEqual(['download '])
  })

  it('completes local paths where upload reads a file, folders left open', async () => {
    asked.length = 0
    expect(await candidates('upload no')).toEqual(['notes-old.txt ', 'notes.txt '])
    expect(await candidates('upload ')).toEqual([
      '"holiday photos/',
      'notes-old.txt ',
      'notes.txt ',
    ])
    expect(await candidates('upload "holiday photos/')).toEqual(['"holiday photos/beach.jpg" '])
    expect(await candidates('upload hol')).toEqual(['hol"iday photos/'])
    expect(await candidates('upload .h')).toEqual(['.hidden '])
    expect(asked).toEqual([])
  })

  it('completes buckets after an upload path, with or without a name', async () => {
    expect(await candidates('upload notes.txt p')).toEqual(['photos ', 'papers '])
    expect(await candidates('upload notes.txt n.txt "my')).toEqual(['"my bucket" '])
  })

  it('completes a file of the named bucket where download takes a file, then a local path', async () => {
    asked.length = 0
    expect(await candidates('download photos b')).toEqual(['beach.jpg ', 'b"irthday cake.jpg" '])
    expect(await candidates('download photos "bi')).toEqual(['"birthday cake.jpg" '])
    expect(asked).toEqual(['ls_f photos', 'ls_f photos'])
    expect(await candidates('download photos map.png "holi')).toEqual(['"holiday photos/'])
  })

  it('gives lines the tokenizer reads back as the names offered', async () => {
    for (const typed of ['download photos b', 'download photos "bi', 'upload hol']) {
      for (const hit of await candidates(typed)) {
        const line = typed.slice(0, typed.lastIndexOf(' ') + 1) + hit
        const tokens = tokenize(hit.endsWith('/') ? `${line}"` : line)
        expect(tokens.ok).toBe(true)
      }
    }
    const [cake] = await candidates('download photos bi')
    expect(tokenize(`download photos ${cake}`)).toEqual({
      ok: true,
      tokens: ['download', 'photos', 'birthday cake.jpg'],
    })
  })

  it('completes buckets and files for the commands that name them', async () => {
    expect(await candidates('ls_f ')).toEqual(['photos ', 'papers ', '"my bucket" '])
    expect(await candidates('delete_f photos m')).toEqual(['map.png '])
    expect(await candidates('rename_f photos m')).toEqual(['map.png '])
    expect(await candidates('help ls')).toEqual(['ls_b ', 'ls_f ', 'ls_t '])
  })

  it('offers nothing where nothing fits, and when the server cannot list', async () => {
    expect(await candidates('download ghost x')).toEqual([])
    expect(await candidates('upload nowhere/x')).toEqual([])
    expect(await candidates('frobnicate x')).toEqual([])
    expect(await candidates('quit ')).toEqual([])
  })
})
