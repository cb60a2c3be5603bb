import { describe, expect, it } from 'vitest'
import { describeError, humanRate, humanSize } from './format.js'

describe('humanSize', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [150 * 1024, '150 KiB'],
    [1024 ** 3 * 2.25, '2.3 GiB'],
    [1024 ** 5, '1024 TiB'],
  ])('writes %i bytes as %j', (bytes, text) => expect(humanSize(bytes)).toBe(text))

  it('writes a rate per second, rounded to whole bytes', () => {
    expect(humanRate(1536.4)).toBe('1.5 KiB/s')
    expect(humanRate(10.6)).toBe('11 B/s')
  })
})

describe('describeError', () => {
  it('leads a protocol failure with its code, and says any other as it is', () => {
    expect(describeError({ code: 1150, message: 'Access Grant Fails: wrong access code' })).toBe(
      '1150 AGF — Access Grant Fails: wrong access code',
    )
    expect(describeError({ code: 'HOST', message: 'Cannot listen on 127.0.0.1:1' })).toBe(
      'Cannot listen on 127.0.0.1:1',
    )
  })
})
