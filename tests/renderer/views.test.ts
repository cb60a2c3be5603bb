import { describe, expect, it } from 'vitest'
import { nextTick, ref } from 'vue'
import type { Row } from '../../renderer/src/folders.js'
import { complete } from '../../renderer/src/completion.js'
import { useFileView, visibleFiles } from '../../renderer/src/fileView.js'
import { humanSize, timeLeft } from '../../renderer/src/format.js'

const file = (name: string, size = 0, modified = 0): Row => ({
  name,
  label: name,
  folder: false,
  size,
  modified,
  files: 1,
})

describe('tab completion', () => {
  it('completes commands, then bucket names quoted when needed', () => {
    expect(complete('cre', [])).toEqual({ line: 'create_b ', candidates: ['create_b'] })
    expect(complete('d', []).candidates).toEqual(['delete_b', 'delete_f', 'download'])
    expect(complete('del', []).line).toBe('delete_')
    expect(complete('ls_f ho', ['holiday photos', 'work'])).toEqual({
      line: 'ls_f "holiday photos" ',
      candidates: ['"holiday photos"'],
    })
    expect(complete('xyz', [])).toEqual({ line: 'xyz', candidates: [] })
    expect(complete('ls_f "my p', ['my photos', 'my papers'])).toEqual({
      line: 'ls_f "my p',
      candidates: ['"my photos"', '"my papers"'],
    })
    expect(complete('ls_f "my ph', ['my photos', 'my papers']).line).toBe('ls_f "my photos" ')
  })
})

describe('file view', () => {
  const files = [
    file('b.txt', 10, 3),
    file('A.txt', 30, 1),
    file('file10', 20, 2),
    file('file9', 20, 2),
  ]

  it('sorts names naturally and sizes with ties by name, and filters by name', () => {
    expect(visibleFiles(files, '', 'name', true).map((f) => f.name)).toEqual([
      'A.txt',
      'b.txt',
      'file9',
      'file10',
    ])
    expect(visibleFiles(files, '', 'size', false).map((f) => f.name)).toEqual([
      'A.txt',
      'file9',
      'file10',
      'b.txt',
    ])
    expect(visibleFiles(files, 'FILE', 'name', true).map((f) => f.name)).toEqual([
      'file9',
      'file10',
    ])
  })

  it('selects like a file manager: click, toggle, range, all', () => {
    const view = useFileView(ref(files))
    view.click(0, { toggle: false, range: false })
    view.click(2, { toggle: false, range: true })
    expect([...view.selected]).toEqual(['A.txt', 'b.txt', 'file9'])
    view.click(1, { toggle: true, range: false })
    expect([...view.selected]).toEqual(['A.txt', 'file9'])
    view.click(3, { toggle: false, range: false })
    expect([...view.selected]).toEqual(['file10'])
    view.selectAll()
    expect(view.selected.size).toBe(4)
  })

  it('moves and extends the selection with the keyboard, by name across re-sorting', () => {
    const view = useFileView(ref(files))
    expect(view.move(1, false)).toBe(0)
    expect([...view.selected]).toEqual(['A.txt'])
    view.move(1, false)
    view.move(2, true)
    expect([...view.selected]).toEqual(['b.txt', 'file9', 'file10'])
    expect(view.lead).toBe('file10')
    view.move(Infinity, false)
    expect([...view.selected]).toEqual(['file10'])
    view.sortBy('name')
    // Descending now: file10 is first, and the lead stays on it.
    expect(view.move(1, false)).toBe(1)
    expect([...view.selected]).toEqual(['file9'])
    expect(view.move(-Infinity, true)).toBe(0)
    expect([...view.selected]).toEqual(['file10', 'file9'])
  })

  it('drops from the selection the files a filter hides', async () => {
    const view = useFileView(ref(files))
    view.selectAll()
    view.filter = 'file'
    await nextTick()
    expect([...view.selected].sort()).toEqual(['file10', 'file9'])
    expect(useFileView(ref([])).move(1, false)).toBeUndefined()
  })

  it('flips the order when the same column is chosen again', () => {
    const view = useFileView(ref(files))
    view.sortBy('name')
    expect(view.rows[0]!.name).toBe('file10')
    view.sortBy('modified')
    expect(view.ascending).toBe(false)
    expect(view.rows[0]!.name).toBe('b.txt')
  })
})

describe('formatting', () => {
  it('shows sizes in binary units and the time left', () => {
    expect(humanSize(0)).toBe('0 B')
    expect(humanSize(153600)).toBe('150 KiB')
    expect(humanSize(1536 * 1024)).toBe('1.5 MiB')
    expect(timeLeft(0, 100, 10)).toBe('10 s left')
    expect(timeLeft(0, 6000, 10)).toBe('10 min 0 s left')
    expect(timeLeft(5, 5, 10)).toBe('')
  })
})
