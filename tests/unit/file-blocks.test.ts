import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BLOCK_BYTES } from '../../electron/blocks.js'
import { blockReader, giveBack } from '../../electron/client/file-blocks.js'

let dir: string
let file: string
const content = randomBytes(5 * BLOCK_BYTES + 12345)

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'file-blocks-'))
  file = path.join(dir, 'f.bin')
  await fs.writeFile(file, content)
})
afterAll(() => fs.rm(dir, { recursive: true, force: true }))

async function read(start: number, end: number, keep: (chunk: Buffer) => boolean, from = file) {
  const chunks: Buffer[] = []
  const copies: Buffer[] = []
  for await (const chunk of blockReader(from, start, end) as AsyncIterable<Buffer>) {
    chunks.push(chunk)
    copies.push(Buffer.from(chunk))
    if (!keep(chunk)) giveBack(chunk)
  }
  return { chunks, copies }
}

describe('blockReader', () => {
  it('reads the bytes asked for, in blocks', async () => {
    const { copies } = await read(100, content.length - 1, () => true)
    expect(Buffer.concat(copies).equals(content.subarray(100))).toBe(true)
    expect(copies[0]!.length).toBe(BLOCK_BYTES)
  })

  it('reads nothing of an empty range', async () => {
    const { chunks } = await read(0, -1, () => true)
    expect(chunks).toEqual([])
  })

  it('reads into the memory of chunks given back', async () => {
    const { chunks } = await read(0, content.length - 1, () => false)
    // Each full block went back before the next read: far fewer blocks than reads.
    const memory = new Set(chunks.map((c) => c.buffer))
    expect(chunks.length).toBeGreaterThan(4)
    expect(memory.size).toBeLessThan(chunks.length - 2)
  })

  it('never reads into a chunk still held', async () => {
    const { chunks, copies } = await read(0, content.length - 1, () => true)
    expect(new Set(chunks.map((c) => c.buffer)).size).toBe(chunks.length)
    chunks.forEach((c, i) => expect(c.equals(copies[i]!)).toBe(true))
  })

  it('fails with the file system’s error for a missing file', async () => {
    await expect(read(0, 10, () => true, path.join(dir, 'missing'))).rejects.toMatchObject({
      code: 'ENOENT',
    })
  })
})
