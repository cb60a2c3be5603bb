import { describe, expect, it } from 'vitest'
import { CODES, codeLabel, isCode, isSuccess, type Code } from './codes.js'
import { announcesBytes, arity, codeLines, COMMANDS, helpLines, isVerb, VERBS } from './commands.js'

describe('the command registry', () => {
  it.each([
    ['init', 0, 0],
    ['help', 0, 1],
    ['ls_f', 0, 2],
    ['create_b', 1, 2],
    ['rename_f', 3, 3],
    ['delete_f', 2, 2],
    ['upload', 3, 5],
    ['download', 2, 4],
    ['resume_f', 3, 3],
    ['put_f', 3, 3],
  ] as const)('%s takes %d to %d arguments', (verb, min, max) => {
    expect(arity(verb)).toEqual({ min, max })
  })

  it('knows its verbs and nothing else', () => {
    expect(VERBS).toHaveLength(18)
    expect(isVerb('ls_b')).toBe(true)
    expect(isVerb('LS_B')).toBe(false)
    expect(isVerb('toString')).toBe(false)
  })

  it('gives each command a success code and a failure code of the same family', () => {
    for (const verb of VERBS) {
      const spec: { success: Code; failure?: Code } = COMMANDS[verb]
      expect(isSuccess(spec.success)).toBe(true)
      if (spec.failure !== undefined) expect(spec.failure).toBe(spec.success + 50)
    }
  })

  it('generates help from the registry', () => {
    expect(helpLines()).toHaveLength(VERBS.length + 3)
    const upload = helpLines('upload')
    expect(upload[0]).toMatch(
      /^-> upload <name of bucket> <name of file> <size in bytes> \[<held bytes> <their sha256>\] +Upload/,
    )
    expect(upload[1]).toContain('in a client console: upload <path of the file or folder>')
  })

  it('lists every code in code_r', () => {
    const lines = codeLines()
    expect(lines).toHaveLength(Object.keys(CODES).length)
    expect(lines).toContain('-> 550 BLF    Bucket Listing Fails')
    expect(lines).toContain('-> 1050 FDF   File Deletion Fails')
    expect(lines).toContain('-> 1150 AGF   Access Grant Fails')
    expect(lines).toContain('-> 1500 RPS   Resume Point Sent')
    expect(lines).toContain('-> 1550 RPF   Resume Point Fails')
  })
})

describe('commands whose bytes follow the line', () => {
  it('is put_f alone', () => {
    expect(VERBS.filter((v) => (COMMANDS[v] as { bytesFollow?: true }).bytesFollow)).toEqual([
      'put_f',
    ])
  })

  it.each([
    ['put_f b x 5', true],
    ['  "put_f" b "x 5', true],
    ['\uFEFFput_f', true],
    ['upload b x 5', false],
    ['put_fx b x 5', false],
    ['PUT_F b x 5', false],
  ])('tells that %j announced bytes: %s', (line, expected) => {
    expect(announcesBytes(line)).toBe(expected)
  })
})

describe('access', () => {
  it('opens only greeting, help, codes, quit and auth before the access code', () => {
    const open = VERBS.filter((v) => (COMMANDS[v] as { open?: true }).open)
    expect(open.sort()).toEqual(['auth', 'code_r', 'help', 'init', 'quit'])
  })

  it('marks the commands that change the shared folder', () => {
    const writes = VERBS.filter((v) => (COMMANDS[v] as { writes?: true }).writes)
    expect(writes.sort()).toEqual([
      'create_b',
      'delete_b',
      'delete_f',
      'put_f',
      'rename_f',
      'restore_f',
      'upload',
    ])
  })

  it('names the permission each bucket or file command needs', () => {
    const needs = Object.fromEntries(
      VERBS.map((v) => [v, (COMMANDS[v] as { needs?: unknown }).needs ?? null]),
    )
    expect(needs).toMatchObject({
      ls_b: null,
      ls_f: 'list',
      download: 'download',
      upload: 'upload',
      create_b: 'create',
      delete_b: 'delete',
      delete_f: 'delete',
      rename_f: 'rename',
      ls_t: 'trash',
      restore_f: 'trash',
      resume_f: ['upload', 'download'],
      put_f: 'upload',
    })
  })
})

describe('codes', () => {
  it('labels and classifies codes', () => {
    expect(codeLabel(850)).toBe('850 FLF')
    expect(isCode(850)).toBe(true)
    expect(isCode(123)).toBe(false)
    expect(isSuccess(400)).toBe(false)
    expect(isSuccess(1000)).toBe(true)
    expect(isSuccess(1050)).toBe(false)
  })
})
