import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatCommand, quote, splitTyped, tokenize } from './tokens.js'

describe('splitTyped', () => {
  it.each([
    ['', [], '', 0],
    ['upl', [], 'upl', 0],
    ['upload ', ['upload'], '', 7],
    ['upload ~/Doc', ['upload'], '~/Doc', 7],
    ['download "my b', ['download'], 'my b', 9],
    ['download "my bucket" b', ['download', 'my bucket'], 'b', 21],
    ['ls_f "a b"', ['ls_f'], 'a b', 5],
    ['ls_f "a b" ', ['ls_f', 'a b'], '', 11],
  ])('%j → done %j, partial %j from %d', (line, done, partial, start) => {
    expect(splitTyped(line)).toEqual({ done, partial, start })
  })
})

describe('tokenize', () => {
  it.each([
    ['', []],
    ['   \t ', []],
    ['ls_b', ['ls_b']],
    ['create_b  photos', ['create_b', 'photos']],
    ['a\tb', ['a', 'b']],
    [' lead trail ', ['lead', 'trail']],
    ['"holiday photos"', ['holiday photos']],
    ['""', ['']],
    ['"" x', ['', 'x']],
    ['"say \\"hi\\""', ['say "hi"']],
    ['"back\\\\slash"', ['back\\slash']],
    ['"a\\b"', ['a\\b']],
    ['C:\\Users\\me\\a.txt', ['C:\\Users\\me\\a.txt']],
    ['my" "file', ['my file']],
    ['"tab\tinside"', ['tab\tinside']],
    ['été 北京', ['été', '北京']],
  ])('%j → %j', (line, tokens) => {
    expect(tokenize(line)).toEqual({ ok: true, tokens })
  })

  it.each(['"open', 'a "b', '"esc\\"'])('refuses the unterminated quote in %j', (line) => {
    expect(tokenize(line)).toEqual({ ok: false, reason: 'unterminated quote' })
  })
})

describe('quote', () => {
  it.each([
    ['plain', 'plain'],
    ['', '""'],
    ['two words', '"two words"'],
    ['a"b', '"a\\"b"'],
    ['C:\\dir', 'C:\\dir'],
    ['C:\\my dir\\', '"C:\\\\my dir\\\\"'],
    ['tab\there', '"tab\there"'],
  ])('%j → %j', (arg, quoted) => {
    expect(quote(arg)).toBe(quoted)
  })

  it('is undone by tokenize for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (arg) => {
        expect(tokenize(quote(arg))).toEqual({ ok: true, tokens: [arg] })
      }),
    )
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (arg) => {
        expect(tokenize(quote(arg))).toEqual({ ok: true, tokens: [arg] })
      }),
    )
  })

  it('keeps every argument of a command apart', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 5 }), (args) => {
        expect(tokenize(formatCommand('upload', args))).toEqual({
          ok: true,
          tokens: ['upload', ...args],
        })
      }),
    )
  })
})

describe('formatCommand', () => {
  it('quotes only what needs it and writes numbers as decimals', () => {
    expect(formatCommand('upload', ['my photos', 'cat.jpg', 1024])).toBe(
      'upload "my photos" cat.jpg 1024',
    )
    expect(formatCommand('ls_b')).toBe('ls_b')
  })
})
