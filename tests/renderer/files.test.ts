import { mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import type { FileEntry } from '../../shared/protocol/index.js'
import { setBridge } from '../../renderer/src/bridge/index.js'
import ConfirmDialog from '../../renderer/src/components/ConfirmDialog.vue'
import FilePane from '../../renderer/src/components/FilePane.vue'
import { useBucketsStore } from '../../renderer/src/stores/buckets.js'
import { useConnectionStore } from '../../renderer/src/stores/connection.js'
import { FakeBridge } from './fakeBridge.js'

/** happy-dom lays nothing out: give every element a height so the table has a window of rows. */
const VIEW_HEIGHT = 340
const clientHeight = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientHeight')
beforeEach(() =>
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get: () => VIEW_HEIGHT,
  }),
)
afterEach(() => Object.defineProperty(HTMLElement.prototype, 'clientHeight', clientHeight!))

let bridge: FakeBridge
let wrapper: VueWrapper
beforeEach(() => {
  setActivePinia(createPinia())
  bridge = new FakeBridge()
  setBridge(bridge)
})
afterEach(() => wrapper?.unmount())

const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0))
const KiB = 1024

async function show(files: FileEntry[]): Promise<VueWrapper> {
  useConnectionStore().state = {
    status: 'connected',
    host: 'nas.local',
    port: 4567,
    fingerprint: null,
    firstContact: false,
    needsCode: false,
  }
  const store = useBucketsStore()
  store.selected = 'photos'
  store.files = files
  wrapper = mount(
    { components: { FilePane, ConfirmDialog }, template: '<FilePane /><ConfirmDialog />' },
    { attachTo: document.body },
  )
  await flush()
  return wrapper
}
const names = (w: VueWrapper): string[] =>
  w.findAll('[data-testid="file-row"]').map((r) => r.attributes('data-name')!)
const selectedNames = (w: VueWrapper): string[] =>
  w.findAll('[data-testid="file-row"][aria-selected="true"]').map((r) => r.attributes('data-name')!)
const row = (w: VueWrapper, name: string) => w.get(`[data-testid="file-row"][data-name="${name}"]`)

const sample: FileEntry[] = [
  { name: 'b.jpg', size: 1536 * KiB, modified: 3 },
  { name: 'a.txt', size: 10, modified: 1 },
  { name: 'c.mov', size: 3 * KiB * KiB * KiB, modified: 2 },
]

describe('file table', () => {
  it('draws only the rows in view, for 100,000 files', async () => {
    const many = Array.from({ length: 100_000 }, (_, i) => ({
      name: `file${i}`,
      size: i,
      modified: i,
    }))
    const w = await show(many)
    const drawn = w.findAll('[data-testid="file-row"]').length
    expect(drawn).toBeGreaterThan(5)
    expect(drawn).toBeLessThan(60)
    expect(names(w).slice(0, 3)).toEqual(['file0', 'file1', 'file2'])
    expect(w.get('[data-testid="file-summary"]').text()).toContain('100,000 files')
  })

  it('shows sizes in binary units and sorts by the column clicked', async () => {
    const w = await show(sample)
    expect(names(w)).toEqual(['a.txt', 'b.jpg', 'c.mov'])
    expect(w.findAll('[data-testid="file-size"]').map((c) => c.text())).toEqual([
      '10 B',
      '1.5 MiB',
      '3 GiB',
    ])
    await w.get('[data-testid="sort-size"]').trigger('click')
    expect(names(w)).toEqual(['c.mov', 'b.jpg', 'a.txt'])
    await w.get('[data-testid="sort-modified"]').trigger('click')
    expect(names(w)).toEqual(['b.jpg', 'c.mov', 'a.txt'])
    await w.get('[data-testid="sort-modified"]').trigger('click')
    expect(names(w)).toEqual(['a.txt', 'c.mov', 'b.jpg'])
    expect(w.get('[data-testid="sort-modified"]').attributes('aria-sort')).toBe('ascending')
  })

  it('filters by name', async () => {
    const w = await show(sample)
    await w.get('[data-testid="file-filter"]').setValue('JP')
    expect(names(w)).toEqual(['b.jpg'])
    await w.get('[data-testid="file-filter"]').setValue('nothing')
    expect(names(w)).toEqual([])
    expect(w.text()).toContain('No file name contains “nothing”')
  })

  it('selects with click, Ctrl-click, Shift-click, Ctrl+A and the arrow keys', async () => {
    const w = await show(sample)
    await row(w, 'a.txt').trigger('click')
    await row(w, 'c.mov').trigger('click', { shiftKey: true })
    expect(selectedNames(w)).toEqual(['a.txt', 'b.jpg', 'c.mov'])
    await row(w, 'b.jpg').trigger('click', { ctrlKey: true })
    expect(selectedNames(w)).toEqual(['a.txt', 'c.mov'])
    await row(w, 'b.jpg').trigger('click')
    expect(selectedNames(w)).toEqual(['b.jpg'])
    const body = w.get('.tbody')
    await body.trigger('keydown', { key: 'ArrowDown', shiftKey: true })
    expect(selectedNames(w)).toEqual(['b.jpg', 'c.mov'])
    await body.trigger('keydown', { key: 'Home' })
    expect(selectedNames(w)).toEqual(['a.txt'])
    await body.trigger('keydown', { key: 'a', ctrlKey: true })
    expect(selectedNames(w)).toEqual(['a.txt', 'b.jpg', 'c.mov'])
    expect(w.get('[data-testid="file-summary"]').text()).toContain('3 selected')
    await body.trigger('keydown', { key: 'Escape' })
    expect(selectedNames(w)).toEqual([])
  })

  it('downloads the selected files', async () => {
    bridge.handle('transfers:download', () => [])
    const w = await show(sample)
    expect(w.get('[data-testid="download-button"]').attributes('disabled')).toBeDefined()
    await row(w, 'a.txt').trigger('click')
    await row(w, 'c.mov').trigger('click', { metaKey: true })
    await w.get('[data-testid="download-button"]').trigger('click')
    expect(bridge.called('transfers:download')).toEqual([
      { bucket: 'photos', names: ['a.txt', 'c.mov'], dir: '/downloads' },
    ])
  })

  it('deletes the selected files with the Delete key, only once confirmed', async () => {
    bridge
      .handle('files:delete', () => ({ deleted: ['b.jpg'], failed: [] }))
      .handle('files:list', () => sample.filter((f) => f.name !== 'b.jpg'))
      .handle('buckets:list', () => [{ name: 'photos', files: 2 }])
    const w = await show(sample)
    await row(w, 'b.jpg').trigger('click')
    await w.get('.tbody').trigger('keydown', { key: 'Delete' })
    await nextTick()
    expect(w.get('[role="alertdialog"]').text()).toContain('Delete “b.jpg”?')
    await w.get('[data-testid="confirm-cancel"]').trigger('click')
    await flush()
    expect(bridge.called('files:delete')).toEqual([])
    await w.get('[data-testid="delete-files-button"]').trigger('click')
    await nextTick()
    await w.get('[data-testid="confirm-ok"]').trigger('click')
    await flush()
    expect(bridge.called('files:delete')).toEqual([{ bucket: 'photos', names: ['b.jpg'] }])
    await expect.poll(() => names(w)).toEqual(['a.txt', 'c.mov'])
    expect(w.find('[data-testid="confirm-ok"]').exists()).toBe(false)
  })

  it('uploads files picked or dropped on the file area', async () => {
    bridge.handle('transfers:upload', () => [])
    const w = await show(sample)
    const picked = new File(['x'], 'picked.txt')
    const input = w.get<HTMLInputElement>('[data-testid="upload-input"]')
    Object.defineProperty(input.element, 'files', { value: [picked], configurable: true })
    await input.trigger('change')
    const dropped = new File(['y'], 'dropped.txt')
    await w.get('.files').trigger('drop', { dataTransfer: { files: [dropped] } })
    await flush()
    expect(bridge.called('transfers:upload')).toEqual([
      { bucket: 'photos', paths: ['picked.txt'] },
      { bucket: 'photos', paths: ['dropped.txt'] },
    ])
  })
})
