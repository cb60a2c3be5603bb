import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LineReader, MAX_LINE_BYTES, type LineEvent } from './lines.js'

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

function drain(reader: LineReader): LineEvent[] {
  const events: LineEvent[] = []
  for (let e = reader.next(); e; e = reader.next()) events.push(e)
  return events
}

/** Feeds `chunks` one at a time, reading after each, as a connection does. */
function read(chunks: (string | Uint8Array)[], max = MAX_LINE_BYTES): LineEvent[] {
  const reader = new LineReader(max)
  return chunks.flatMap((c) => {
    reader.push(typeof c === 'string' ? bytes(c) : c)
    return drain(reader)
  })
}

const line = (text: string): LineEvent => ({ kind: 'line', text })

describe('LineReader', () => {
  it.each<[string, (string | Uint8Array)[], LineEvent[]]>([
    ['one line', ['ls_b\n'], [line('ls_b')]],
    ['CRLF', ['ls_b\r\n'], [line('ls_b')]],
    ['a CR inside a line stays', ['a\rb\n'], [line('a\rb')]],
    ['several lines in one chunk', ['a\nb\r\nc\n'], [line('a'), line('b'), line('c')]],
    ['a line in many chunks', ['cre', 'ate', '_b x', '\n'], [line('create_b x')]],
    ['CRLF split between chunks', ['a\r', '\n'], [line('a')]],
    ['empty lines', ['\n\r\n'], [line(''), line('')]],
    ['no terminator yet', ['ls_b'], []],
    [
      'UTF-8 split inside a character',
      [bytes('é').subarray(0, 1), bytes('é\n').subarray(1)],
      [line('é')],
    ],
    [
      'invalid UTF-8',
      [new Uint8Array([0xff, 0xfe, 0x0a]), 'ok\n'],
      [{ kind: 'invalid', head: '\ufffd\ufffd' }, line('ok')],
    ],
  ])('%s', (_name, chunks, events) => {
    expect(read(chunks)).toEqual(events)
  })

  it('gives the same lines however the bytes are split', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: 'grapheme' }).map((s) => s.replace(/[\r\n]/g, '')),
          {
            maxLength: 6,
          },
        ),
        fc.array(fc.nat(), { maxLength: 8 }),
        (texts, cuts) => {
          const all = bytes(texts.map((t) => `${t}\n`).join(''))
          const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b)
          const chunks = [0, ...points]
            .map((start, i) => all.subarray(start, points[i] ?? all.length))
            .filter((c) => c.length > 0)
          expect(read(chunks)).toEqual(texts.map(line))
        },
      ),
    )
  })

  describe('overflow', () => {
    it('accepts a line of exactly the limit, with LF or CRLF', () => {
      expect(read(['abcd\n', 'abcd\r\n'], 4)).toEqual([line('abcd'), line('abcd')])
    })

    it('accepts a line of the limit whose CRLF is split across chunks', () => {
      expect(read(['abcd\r', '\n'], 4)).toEqual([line('abcd')])
    })

    it('reports a complete over-long line and goes on', () => {
      expect(read(['abcde\nok\n'], 4)).toEqual([{ kind: 'overflow', head: 'abcde' }, line('ok')])
    })

    it('reports an unfinished over-long line once and discards it up to its LF', () => {
      const reader = new LineReader(4)
      const events: LineEvent[] = []
      for (const chunk of ['abc', 'def', 'ghi', 'jkl\nok\n']) {
        reader.push(bytes(chunk))
        events.push(...drain(reader))
        expect(reader.pending).toBeLessThanOrEqual(8)
      }
      expect(events).toEqual([{ kind: 'overflow', head: 'abcdef' }, line('ok')])
    })

    it('keeps memory bounded while a peer sends without LF', () => {
      const reader = new LineReader(MAX_LINE_BYTES)
      const chunk = new Uint8Array(64 * 1024).fill(0x61)
      for (let i = 0; i < 50; i++) {
        reader.push(chunk)
        drain(reader)
        expect(reader.pending).toBe(0)
      }
    })
  })

  it('hands back the bytes after a line for a switch to raw bytes', () => {
    const reader = new LineReader(MAX_LINE_BYTES)
    reader.push(bytes('upload b f 5\nhel'))
    expect(reader.next()).toEqual(line('upload b f 5'))
    expect(reader.pending).toBe(3)
    expect(new TextDecoder().decode(reader.takeRest())).toBe('hel')
    expect(reader.pending).toBe(0)
    expect(reader.next()).toBeUndefined()
    reader.push(bytes('ls_b\n'))
    expect(reader.next()).toEqual(line('ls_b'))
  })
})
