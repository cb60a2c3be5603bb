import { mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { nextTick, watch } from 'vue'
import type { ListEntry } from '../../shared/protocol/index.js'
import { setBridge } from '../../renderer/src/bridge/index.js'
import ConfirmDialog from '../../renderer/src/components/ConfirmDialog.vue'
import FilePane from '../../renderer/src/components/FilePane.vue'
import { crumbs, rowsOf } from '../../renderer/src/folders.js'
import { pendingReplace } from '../../renderer/src/replace.js'
import { useHostStore } from '../../renderer/src/stores/host.js'
import { useBucketsStore } from '../../renderer/src/stores/buckets.js'
import { useConnectionStore } from '../../renderer/src/stores/connection.js'
import { FakeBridge } from './fakeBridge.js'

const listing: ListEntry[] = [
  { name: 'top.txt', size: 1, modified: 1 },
  { name: '2024/july/beach.jpg', size: 100, modified: 5 },
  { name: '2024/july/sea.jpg', size: 50, modified: 7 },
  { name: '2024/notes.txt', size: 3, modified: 2 },
  { name: '2024/empty', folder: true },
  { name: 'zeta', folder: true },
]

describe('one folder of a flat listing', () => {
  it('shows sub-folders with their files and sizes, then the files', () => {
    expect(rowsOf(listing, '')).toEqual([
      { name: '2024', label: '2024', folder: true, size: 153, modified: 7, files: 3 },
      { name: 'zeta', label: 'zeta', folder: true, size: 0, modified: 0, files: 0 },
      { name: 'top.txt', label: 'top.txt', folder: false, size: 1, modified: 1, files: 1 },
    ])
    expect(rowsOf(listing, '2024').map((r) => [r.name, r.folder])).toEqual([
      ['2024/july', true],
      ['2024/empty', true],
      ['2024/notes.txt', false],
    ])
    expect(rowsOf(listing, '2024/empty')).toEqual([])
    expect(crumbs('2024/july').map((c) => c.name)).toEqual(['', '2024', '2024/july'])
  })

  it('takes one pass for 100,000 files in 1,000 folders', () => {
    const big: ListEntry[] = Array.from({ length: 100_000 }, (_, i) => ({
      name: `folder ${i % 1000}/file ${i}.bin`,
      size: 1,
      modified: 0,
    }))
    const rows = rowsOf(big, '')
    expect(rows).toHaveLength(1000)
    expect(rows.every((r) => r.folder && r.files === 100)).toBe(true)
    expect(rowsOf(big, 'folder 7')).toHaveLength(100)
  })
})

/** happy-dom lays nothing out: give every element a height so the table has a window of rows. */
const clientHeight = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientHeight')
beforeEach(() =>
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get: () => 340,
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

async function show(files: ListEntry[]): Promise<VueWrapper> {
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
  bridge
    .handle('files:list', () => files)
    .handle('buckets:list', () => [{ name: 'photos', files: 4 }])
  wrapper = mount(
    { components: { FilePane, ConfirmDialog }, template: '<FilePane /><ConfirmDialog />' },
    { attachTo: document.body },
  )
  await flush()
  return wrapper
}
const names = (w: VueWrapper): string[] =>
  w.findAll('[data-testid="file-row"]').map((r) => r.attributes('data-name')!)
const row = (w: VueWrapper, name: string) => w.get(`[data-testid="file-row"][data-name="${name}"]`)

describe('the file browser', () => {
  it('lists folders first, enters one on double-click, and goes back, up and by the breadcrumb', async () => {
    const w = await show(listing)
    expect(names(w)).toEqual(['2024', 'zeta', 'top.txt'])
    await row(w, '2024').trigger('dblclick')
    expect(names(w)).toEqual(['2024/empty', '2024/july', '2024/notes.txt'])
    await row(w, '2024/july').trigger('dblclick')
    expect(w.get('[data-testid="breadcrumb"]').text()).toMatch(/photos\s*2024\s*july/)
    await w.get('[data-testid="folder-up"]').trigger('click')
    expect(names(w)).toContain('2024/notes.txt')
    await w.get('[data-testid="folder-back"]').trigger('click')
    expect(names(w)).toEqual(['2024/july/beach.jpg', '2024/july/sea.jpg'])
    await w.get('[data-testid="crumb-"]').trigger('click')
    expect(names(w)).toEqual(['2024', 'zeta', 'top.txt'])
  })

  it('renames with F2 and makes a new folder in the folder shown', async () => {
    bridge.handle('files:rename', () => undefined).handle('files:mkdir', () => undefined)
    const w = await show(listing)
    await row(w, '2024').trigger('dblclick')
    await row(w, '2024/notes.txt').trigger('click')
    await w.get('.tbody').trigger('keydown', { key: 'F2' })
    await nextTick()
    await w.get('[data-testid="confirm-text"]').setValue('todo.txt')
    await w.get('[data-testid="confirm-ok"]').trigger('click')
    await flush()
    expect(bridge.called('files:rename')).toEqual([
      { bucket: 'photos', from: '2024/notes.txt', to: '2024/todo.txt' },
    ])
    await w.get('[data-testid="new-folder"]').trigger('click')
    await nextTick()
    await w.get('[data-testid="confirm-text"]').setValue('august')
    await w.get('[data-testid="confirm-text"]').trigger('keydown', { key: 'Enter' })
    await flush()
    expect(bridge.called('files:mkdir')).toEqual([{ bucket: 'photos', folder: '2024/august' }])
  })

  it('moves rows dropped on a folder row or on the breadcrumb', async () => {
    bridge.handle('files:rename', () => undefined)
    const w = await show(listing)
    const data = new Map<string, string>()
    const dataTransfer = {
      types: ['application/x-bucketshare-paths'],
      setData: (t: string, v: string) => data.set(t, v),
      getData: (t: string) => data.get(t) ?? '',
    }
    await row(w, 'top.txt').trigger('dragstart', { dataTransfer })
    await row(w, 'zeta').trigger('drop', { dataTransfer })
    await flush()
    await row(w, '2024').trigger('dblclick')
    await row(w, '2024/notes.txt').trigger('dragstart', { dataTransfer })
    await w.get('[data-testid="crumb-"]').trigger('drop', { dataTransfer })
    await flush()
    expect(bridge.called('files:rename')).toEqual([
      { bucket: 'photos', from: 'top.txt', to: 'zeta/top.txt' },
      { bucket: 'photos', from: '2024/notes.txt', to: 'notes.txt' },
    ])
  })

  it('asks before deleting a folder, with the number of files in it', async () => {
    bridge.handle('files:delete', () => ({ deleted: ['2024'], failed: [] }))
    const w = await show(listing)
    await row(w, '2024').trigger('click')
    await w.get('.tbody').trigger('keydown', { key: 'Delete' })
    await nextTick()
    expect(w.get('[role="alertdialog"]').text()).toContain('3 files in all')
    await w.get('[data-testid="confirm-ok"]').trigger('click')
    await flush()
    expect(bridge.called('files:delete')).toEqual([{ bucket: 'photos', names: ['2024'] }])
  })

  it('downloads a selected folder as a tree', async () => {
    bridge.handle('transfers:download', () => [])
    const w = await show(listing)
    await row(w, '2024').trigger('click')
    await row(w, 'top.txt').trigger('click', { metaKey: true })
    await w.get('[data-testid="download-button"]').trigger('click')
    expect(bridge.called('transfers:download')).toEqual([
      { bucket: 'photos', names: ['2024', 'top.txt'], dir: '/downloads', folders: ['2024'] },
    ])
  })

  it('uploads a folder picked in the page as one tree into the folder shown', async () => {
    bridge.handle('transfers:upload', () => [])
    const w = await show(listing)
    await row(w, '2024').trigger('dblclick')
    const inFolder = (path: string, body: string): File => {
      const file = new File([body], path.split('/').at(-1)!)
      Object.defineProperty(file, 'webkitRelativePath', { value: path })
      return file
    }
    const input = w.get<HTMLInputElement>('[data-testid="upload-folder-input"]')
    Object.defineProperty(input.element, 'files', {
      value: [inFolder('album/a.jpg', 'aa'), inFolder('album/été/b c.jpg', 'bbb')],
      configurable: true,
    })
    await input.trigger('change')
    await flush()
    expect(bridge.called('transfers:upload')).toEqual([
      {
        bucket: 'photos',
        tree: { name: '2024/album', folders: [] },
        files: [
          { name: 'a.jpg', size: 2 },
          { name: 'été/b c.jpg', size: 3 },
        ],
      },
    ])
  })

  it('asks before a picked folder meets one of the same name: keep both uploads it numbered', async () => {
    bridge.handle('transfers:upload', () => [])
    const w = await show(listing)
    const asked: string[] = []
    const stop = watch(pendingReplace, (request) => {
      if (!request) return
      asked.push(`${request.kind} ${request.name}`)
      request.resolve('keep', false)
    })
    const inFolder = (path: string): File => {
      const file = new File(['x'], path.split('/').at(-1)!)
      Object.defineProperty(file, 'webkitRelativePath', { value: path })
      return file
    }
    const input = w.get<HTMLInputElement>('[data-testid="upload-folder-input"]')
    Object.defineProperty(input.element, 'files', {
      value: [inFolder('zeta/a.txt')],
      configurable: true,
    })
    await input.trigger('change')
    await flush()
    await flush()
    stop()
    expect(asked).toEqual(['folder zeta'])
    expect(bridge.called('transfers:upload')).toEqual([
      {
        bucket: 'photos',
        tree: { name: 'zeta (1)', folders: [] },
        files: [{ name: 'a.txt', size: 1 }],
      },
    ])
  })

  it('uploads a dropped folder as one tree, its empty folders kept, loose files as files', async () => {
    bridge.handle('transfers:upload', () => [])
    const w = await show(listing)
    const file = (name: string): FileSystemFileEntry =>
      ({
        name,
        isFile: true,
        isDirectory: false,
        file: (ok: (f: File) => void) => ok(new File([name], name)),
      }) as unknown as FileSystemFileEntry
    const folder = (name: string, entries: FileSystemEntry[]): FileSystemDirectoryEntry => {
      // Entries come in batches until an empty one, as Chromium gives them.
      const batches = [entries.slice(0, 1), entries.slice(1), []]
      return {
        name,
        isFile: false,
        isDirectory: true,
        createReader: () => ({
          readEntries: (ok: (e: FileSystemEntry[]) => void) => ok(batches.shift() ?? []),
        }),
      } as unknown as FileSystemDirectoryEntry
    }
    const tree = folder('trip', [
      file('one.txt'),
      folder('empty', []),
      folder('deep', [folder('er', [file('two.txt')])]),
    ])
    const item = (entry: FileSystemEntry) => ({ kind: 'file', webkitGetAsEntry: () => entry })
    await w.get('.files').trigger('drop', {
      dataTransfer: { files: [], items: [item(tree), item(file('loose.txt'))] },
    })
    await flush()
    await flush()
    expect(bridge.called('transfers:upload')).toEqual([
      { bucket: 'photos', paths: ['loose.txt'] },
      {
        bucket: 'photos',
        tree: { name: 'trip', folders: ['empty'] },
        files: [
          { name: 'one.txt', size: 7 },
          { name: 'deep/er/two.txt', size: 7 },
        ],
      },
    ])
  })

  it('in the desktop app, picks the folder with the system dialog and uploads it by its path', async () => {
    bridge
      .handle('dialog:chooseFolder', () => '/home/me/Pictures/summer trip')
      .handle('transfers:upload', () => [])
    useHostStore().nativeDialogs = true
    const w = await show(listing)
    await row(w, '2024').trigger('dblclick')
    await w.get('[data-testid="upload-folder-button"]').trigger('click')
    await flush()
    expect(bridge.called('dialog:chooseFolder')).toEqual([{ purpose: 'upload' }])
    expect(bridge.called('transfers:upload')).toEqual([
      {
        bucket: 'photos',
        paths: ['/home/me/Pictures/summer trip'],
        names: ['2024/summer trip'],
      },
    ])
  })
})
