import v8 from 'node:v8'
import vm from 'node:vm'
import { describe, expect, it } from 'vitest'
import { LineReader, MAX_LINE_BYTES } from '../../shared/protocol/index.js'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

/** Whether the memory behind `ref` was freed once nothing but the reader could hold it. */
async function freed(ref: WeakRef<ArrayBufferLike>): Promise<boolean> {
  // A weak reference is cleared only after the job that last read it has ended.
  await new Promise((resolve) => setImmediate(resolve))
  gc()
  return ref.deref() === undefined
}

/**
 * Gives the reader a chunk as a socket read does: 64 KiB, starting with `text`, then blank lines,
 * ending with `tail`. Returns a weak reference to its memory: only the reader may hold it after.
 */
function pushChunk(reader: LineReader, text: string, tail = ''): WeakRef<ArrayBufferLike> {
  const chunk = new Uint8Array(64 * 1024).fill(0x0a)
  chunk.set(new TextEncoder().encode(text))
  chunk.set(new TextEncoder().encode(tail), chunk.length - tail.length)
  reader.push(chunk)
  return new WeakRef(chunk.buffer)
}

describe('LineReader memory', () => {
  it('keeps nothing of a chunk whose lines were all read', async () => {
    const reader = new LineReader(MAX_LINE_BYTES)
    const ref = pushChunk(reader, 'ls_b\n')
    expect(reader.next()).toEqual({ kind: 'line', text: 'ls_b' })
    reader.skipBlankLines()
    expect(reader.next()).toBeUndefined()
    expect(await freed(ref)).toBe(true)
  })

  it('keeps only the bytes of an unfinished line, not the chunk they came in', async () => {
    const reader = new LineReader(MAX_LINE_BYTES)
    const ref = pushChunk(reader, 'ls_b\n', 'ls_f b')
    expect(reader.next()).toEqual({ kind: 'line', text: 'ls_b' })
    reader.skipBlankLines()
    expect(reader.next()).toBeUndefined()
    expect(await freed(ref)).toBe(true)
    reader.push(new TextEncoder().encode('ucket\n'))
    expect(reader.next()).toEqual({ kind: 'line', text: 'ls_f bucket' })
  })
})
