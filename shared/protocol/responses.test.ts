import { describe, expect, it } from 'vitest'
import {
  formatBucketEntry,
  formatData,
  formatDigest,
  formatListEntry,
  formatReady,
  formatSize,
  formatStatus,
  parseAnyFileEntry,
  parseBucketEntry,
  parseDigest,
  parseListEntry,
  parseMarker,
  parseResponseLine,
  parseSize,
  statusOf,
} from './responses.js'

describe('status lines', () => {
  it.each([
    [300, '', '300 BCS'],
    [350, 'bucket already exists', '350 BCF bucket already exists'],
    [1050, 'no such file', '1050 FDF no such file'],
  ] as const)('formats %d %j as %j and parses it back', (code, detail, text) => {
    expect(formatStatus(code, detail)).toBe(text)
    const status = { code, abbr: text.split(' ')[1], detail, ok: code % 100 === 0 }
    expect(parseResponseLine(text)).toEqual({ kind: 'status', status })
    expect(statusOf(code, detail)).toEqual(status)
  })

  it.each([
    ['100 OK', true],
    ['200 BYE', true],
    ['400 BCMD usage: ls_b', false],
    ['550 BLF I/O error', false],
    ['850 FLF no such bucket', false],
    ['1000 FDS', true],
  ])('%j is ok: %s', (line, ok) => {
    const parsed = parseResponseLine(line)
    expect(parsed.kind === 'status' && parsed.status.ok).toBe(ok)
  })

  it.each(['300 BCF', '301 BCS', '300', 'BCS', '300 bcs', ' 300 BCS', 'hello'])(
    'treats %j as garbage',
    (line) => {
      expect(parseResponseLine(line)).toEqual({ kind: 'garbage', text: line })
    },
  )

  it('reads data lines', () => {
    expect(parseResponseLine(formatData('x y'))).toEqual({ kind: 'data', text: 'x y' })
    expect(parseResponseLine('->')).toEqual({ kind: 'garbage', text: '->' })
  })
})

describe('transfer markers', () => {
  it('round-trips ready, size and sha256', () => {
    expect(formatReady(5)).toBe('-> ready 5')
    expect(parseMarker('ready 5', 'ready')).toBe(5)
    expect(formatSize(0)).toBe('-> size 0')
    expect(parseMarker('size 0', 'size')).toBe(0)
    const hex = 'ab'.repeat(32)
    expect(formatDigest(hex)).toBe(`-> sha256 ${hex}`)
    expect(parseDigest(`sha256 ${hex}`)).toBe(hex)
  })

  it.each([
    ['size 5', 'ready'],
    ['ready -1', 'ready'],
    ['ready 1.5', 'ready'],
    ['ready 99999999999999999', 'ready'],
    ['size 9999999999999999', 'size'],
  ] as const)('refuses marker %j as %s', (text, marker) => {
    expect(parseMarker(text, marker)).toBeUndefined()
  })

  it.each(['sha256 ABC', `sha256 ${'a'.repeat(63)}`, `sha256  ${'a'.repeat(64)}`])(
    'refuses digest %j',
    (text) => {
      expect(parseDigest(text)).toBeUndefined()
    },
  )
})

describe('parseSize', () => {
  it.each([
    ['0', 0],
    ['42', 42],
    ['007', 7],
    ['9007199254740991', 2 ** 53 - 1],
  ])('%j → %d', (text, n) => {
    expect(parseSize(text)).toBe(n)
  })

  it.each(['', '-1', '1e3', '0x10', ' 1', '1.0', '9007199254740992', '12345678901234567'])(
    'refuses %j',
    (text) => {
      expect(parseSize(text)).toBeUndefined()
    },
  )
})

describe('listings', () => {
  const modified = Date.UTC(2026, 10, 24, 10, 15, 0, 123)

  it('formats and parses bucket entries', () => {
    const line = formatBucketEntry({ name: 'holiday photos', files: 12 })
    expect(line).toBe('-> "holiday photos" 12')
    expect(parseBucketEntry(line.slice(3))).toEqual({ name: 'holiday photos', files: 12 })
    expect(parseBucketEntry('a b c')).toBeUndefined()
    expect(parseBucketEntry('a many')).toBeUndefined()
  })

  it('formats file entries in whole UTC seconds and parses them back', () => {
    const line = formatListEntry({ name: 'cat.jpg', size: 48213, modified })
    expect(line).toBe('-> cat.jpg 48213 2026-11-24T10:15:00Z')
    expect(parseListEntry(line.slice(3))).toEqual({
      name: 'cat.jpg',
      size: 48213,
      modified: Date.UTC(2026, 10, 24, 10, 15, 0),
    })
    expect(parseListEntry('cat.jpg big 2026-11-24T10:15:00Z')).toBeUndefined()
    expect(parseListEntry('cat.jpg 1 yesterday')).toBeUndefined()
  })

  it('prefixes the bucket in listings of every bucket, and lists empty buckets alone', () => {
    const line = formatListEntry({ name: 'a b.txt', size: 1, modified }, 'my bucket')
    expect(line).toBe('-> "my bucket" "a b.txt" 1 2026-11-24T10:15:00Z')
    expect(parseAnyFileEntry(line.slice(3))).toEqual({
      bucket: 'my bucket',
      file: { name: 'a b.txt', size: 1, modified: Date.UTC(2026, 10, 24, 10, 15, 0) },
    })
    expect(parseAnyFileEntry('"empty bucket"')).toEqual({ bucket: 'empty bucket' })
    expect(parseAnyFileEntry('a b c')).toBeUndefined()
    expect(parseAnyFileEntry('"open')).toBeUndefined()
  })
})
