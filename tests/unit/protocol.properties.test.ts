import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LineReader } from '../../shared/protocol/lines.js'
import { checkName } from '../../shared/protocol/names.js'
import { tokenize } from '../../shared/protocol/tokens.js'

/** Names made of the characters an attacker would try: separators, dots, controls, drive letters. */
const hostileName = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '/',
        '\\',
        '.',
        '..',
        ':',
        'C:',
        '\u0000',
        '\u202e',
        ' ',
        '~',
        '%2e',
        'ⁿ',
        '．',
        '／',
      ),
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''))

describe('name validation, for any input', () => {
  it('never accepts a name that resolves outside its folder on POSIX or Windows', () => {
    fc.assert(
      fc.property(fc.oneof(hostileName, fc.string(), fc.string({ unit: 'binary' })), (raw) => {
        const check = checkName(raw, 'file')
        if (!check.ok) return
        for (const p of [path.posix, path.win32]) {
          const root = p === path.posix ? '/srv/share/bucket' : 'C:\\share\\bucket'
          const joined = p.join(root, check.name)
          const rel = p.relative(root, joined)
          expect(rel).toBe(check.name)
          expect(p.dirname(joined)).toBe(root)
          expect(p.isAbsolute(check.name)).toBe(false)
        }
      }),
      { numRuns: 5000 },
    )
  })

  it('accepts a name only in NFC, and accepts it again unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (raw) => {
        const check = checkName(raw)
        if (!check.ok) return
        expect(check.name).toBe(check.name.normalize('NFC'))
        expect(checkName(check.name)).toEqual(check)
      }),
    )
  })
})

describe('parsing, for any input', () => {
  it('tokenize never throws and gives arguments without separators outside quotes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (line) => {
        const result = tokenize(line)
        if (result.ok) for (const token of result.tokens) expect(typeof token).toBe('string')
        else expect(result.reason).toBe('unterminated quote')
      }),
      { numRuns: 5000 },
    )
  })

  it('the line reader never throws, never buffers more than one line, and loses no line', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 50 }), (chunks) => {
        const reader = new LineReader(64)
        let lines = 0
        for (const chunk of chunks) {
          reader.push(chunk)
          for (let event = reader.next(); event; event = reader.next()) lines++
          expect(reader.pending).toBeLessThanOrEqual(64 + 1 + 300)
        }
        const terminators = chunks.reduce((n, c) => n + c.filter((b) => b === 0x0a).length, 0)
        // Every LF ends exactly one event (a line, an invalid line or the end of an over-long one),
        // except the LF that ends the discarded tail of an over-long line.
        expect(lines).toBeLessThanOrEqual(terminators + chunks.length)
      }),
      { numRuns: 2000 },
    )
  })
})
