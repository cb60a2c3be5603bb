import { describe, expect, it } from 'vitest'
import { watch } from 'vue'
import {
  freeName,
  pendingReplace,
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
