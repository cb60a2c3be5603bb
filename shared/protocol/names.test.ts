import { describe, expect, it } from 'vitest'
import { checkName, MAX_NAME_BYTES } from './names.js'

describe('checkName', () => {
  it.each([
    ['photos', 'photos'],
    ['holiday photos', 'holiday photos'],
    ['cat.jpg', 'cat.jpg'],
    ['.hidden', '.hidden'],
    ['..double', '..double'],
    ['北京', '北京'],
    ['e\u0301te\u0301', 'été'],
    ['consent.txt', 'consent.txt'],
    ['a'.repeat(MAX_NAME_BYTES), 'a'.repeat(MAX_NAME_BYTES)],
  ])('accepts %j as %j', (raw, name) => {
    expect(checkName(raw)).toEqual({ ok: true, name })
  })

  it.each([
    ['', 'file name is empty'],
    ['.', '"." is not a file name'],
    ['..', '".." is not a file name'],
    ['a/b', 'file name may not contain "/"'],
    ['a\\b', 'file name may not contain "\\"'],
    ['C:', 'file name may not contain ":"'],
    ['say "hi"', 'file name may not contain """'],
    ['a*', 'file name may not contain "*"'],
    ['a?', 'file name may not contain "?"'],
    ['a|b', 'file name may not contain "|"'],
    ['<a>', 'file name may not contain "<"'],
    ['nul\u0000', 'file name may not contain control character U+0000'],
    ['line\nbreak', 'file name may not contain control character U+000A'],
    ['del\u007f', 'file name may not contain control character U+007F'],
    ['c1\u0085', 'file name may not contain control character U+0085'],
    [' lead', 'file name may not start with a space or end with a space or dot'],
    ['trail ', 'file name may not start with a space or end with a space or dot'],
    ['dot.', 'file name may not start with a space or end with a space or dot'],
    ['CON', '"CON" is a reserved device name on Windows'],
    ['nul.txt', '"nul.txt" is a reserved device name on Windows'],
    ['com1', '"com1" is a reserved device name on Windows'],
    ['LPT9.log', '"LPT9.log" is a reserved device name on Windows'],
    ['.bucketshare', '".bucketshare" is reserved by BucketShare'],
    ['.BucketShare', '".BucketShare" is reserved by BucketShare'],
    ['a'.repeat(MAX_NAME_BYTES + 1), `file name is longer than ${MAX_NAME_BYTES} bytes`],
    ['é'.repeat(128), `file name is longer than ${MAX_NAME_BYTES} bytes`],
  ])('refuses %j: %s', (raw, reason) => {
    expect(checkName(raw)).toEqual({ ok: false, reason })
  })

  it('names the kind in its reasons', () => {
    expect(checkName('', 'bucket')).toEqual({ ok: false, reason: 'bucket name is empty' })
  })

  it('gives NFC and NFD spellings the same name', () => {
    const nfc = checkName('Zoë.txt'.normalize('NFC'))
    const nfd = checkName('Zoë.txt'.normalize('NFD'))
    expect(nfc).toEqual(nfd)
  })
})

describe('reasons', () => {
  it('quote a long name shortened, so the status line stays within the line limit', () => {
    const check = checkName(`con.${'x'.repeat(8000)}`)
    expect(check).toEqual({
      ok: false,
      reason: `"con.${'x'.repeat(36)}…" is a reserved device name on Windows`,
    })
  })
})
