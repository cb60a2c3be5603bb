import { describe, expect, it } from 'vitest'
import { watch } from 'vue'
import {
  freeName,
  pendingReplace,
  planFolders,
  planUploads,
  type ReplaceChoice,
} from '../../renderer/src/replace.js'

/** Answers each question the dialog would show, in order, and records what was asked. */
function answering(answers: [ReplaceChoice, boolean][]): string[] {
  const asked: string[] = []
  const stop = watch(
    pendingReplace,
    (request) => {
      if (!request) return
      asked.push(`${request.name} (${request.more} more)`)
      const [choice, all] = answers.shift()!
      if (answers.length === 0) stop()
      request.resolve(choice, all)
    },
    { flush: 'sync' },
  )
  return asked
}

const file = (name: string): File => new File(['x'], name)

describe('names for uploads that meet a file of the same name', () => {
  it('keep both gives the first free numbered name, before the extension', () => {
    expect(freeName('photo.jpg', new Set(['photo.jpg']))).toBe('photo (1).jpg')
    expect(freeName('photo.jpg', new Set(['photo.jpg', 'photo (1).jpg']))).toBe('photo (2).jpg')
    expect(freeName('README', new Set(['README']))).toBe('README (1)')
    expect(freeName('.env', new Set(['.env']))).toBe('.env (1)')
    expect(freeName('v1.2/notes', new Set(['v1.2/notes']))).toBe('v1.2/notes (1)')
    expect(freeName('v1.2/a.txt', new Set(['v1.2/a.txt']))).toBe('v1.2/a (1).txt')
    expect(freeName('2024/my.album', new Set(['2024/my.album']), 'folder')).toBe(
      '2024/my.album (1)',
    )
  })

  it('asks only about names already there, and sends each file as decided', async () => {
    const asked = answering([
      ['keep', false],
      ['skip', false],
    ])
    const plan = await planUploads([file('new.txt'), file('a.txt'), file('b.txt')], 'docs', [
      'a.txt',
      'b.txt',
    ])
    expect(asked).toEqual(['a.txt (1 more)', 'b.txt (0 more)'])
    expect(plan.names).toEqual(['new.txt', 'a (1).txt'])
    expect(plan.files.map((f) => f.name)).toEqual(['new.txt', 'a.txt'])
  })

  it('applies one answer to all the remaining same-name files', async () => {
    const asked = answering([['replace', true]])
    const plan = await planUploads([file('a.txt'), file('b.txt'), file('c.txt')], 'docs', [
      'a.txt',
      'b.txt',
      'c.txt',
    ])
    expect(asked).toEqual(['a.txt (2 more)'])
    expect(plan.names).toEqual(['a.txt', 'b.txt', 'c.txt'])
  })
})

describe('folders uploaded where a folder of the same name is', () => {
  it('asks whether to merge, keep both or skip, and says it is a folder', async () => {
    const asked: string[] = []
    const stop = watch(
      pendingReplace,
      (request) => {
        if (!request) return
        asked.push(`${request.kind} ${request.name} (${request.more} more)`)
        request.resolve(asked.length === 1 ? 'replace' : 'skip', false)
      },
      { flush: 'sync' },
    )
    const plan = await planFolders(
      ['t1', 't2', 't3'],
      'photos',
      ['2024/album', '2024/trip'],
      ['2024/album', '2024/new', '2024/trip'],
    )
    stop()
    expect(asked).toEqual(['folder 2024/album (1 more)', 'folder 2024/trip (0 more)'])
    // Merged into the folder there, a new one as it is, the skipped one left out.
    expect(plan).toEqual({ trees: ['t1', 't2'], names: ['2024/album', '2024/new'] })
  })
})
