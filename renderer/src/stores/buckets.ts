import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { BridgeError, Envelope } from '../../../shared/ipc.js'
import { NOT_ALLOWED, type BucketEntry, type ListEntry } from '../../../shared/protocol/index.js'
import { hasFolder, movedInto, parentOf, rowsOf } from '../folders.js'
import { bridge } from '../bridge/index.js'
import { useNoticesStore } from './notices.js'
import { useRefreshStore } from './refresh.js'

/** A lost connection is told once, by the Connect panel, not again by each listing it broke. */
const OFFLINE = new Set<BridgeError['code']>(['TRANSPORT', 'NOT_CONNECTED'])

/** The peer's buckets, the files of the selected one, and the folder of it being browsed. */
export const useBucketsStore = defineStore('buckets', () => {
  const notices = useNoticesStore()
  // Listings are replaced whole, never edited: shallow refs keep 100,000 files cheap to sort.
  const buckets = shallowRef<BucketEntry[]>([])
  const selected = ref<string | null>(null)
  /** Every file of the bucket by its path, and its empty folders. */
  const files = shallowRef<ListEntry[]>([])
  /** The folder being browsed, '' for the bucket itself. */
  const folder = ref('')
  /** Folders browsed before, for Back. */
  const history = shallowRef<string[]>([])
  /** The sub-folders and files of the folder being browsed. */
  const rows = computed(() => rowsOf(files.value, folder.value))
  const loadingBuckets = ref(false)
  const loadingFiles = ref(false)
  /** The access code may add files to the selected bucket but not see them (a drop box). */
  const hidden = ref(false)

  function listed<T>(envelope: Envelope<T>): T | undefined {
    if (envelope.ok) return envelope.value
    if (!OFFLINE.has(envelope.error.code)) notices.fail(envelope.error)
    return undefined
  }

  /** Lists the buckets; the refresh store decides when. */
  async function refresh(): Promise<void> {
    loadingBuckets.value = true
    try {
      const list = listed(await bridge().invoke('buckets:list'))
      if (!list) return
      buckets.value = list.sort((a, b) => a.name.localeCompare(b.name))
      if (selected.value !== null && !list.some((b) => b.name === selected.value)) {
        selected.value = null
        files.value = []
        folder.value = ''
      }
    } finally {
      loadingBuckets.value = false
    }
  }

  async function select(name: string | null): Promise<void> {
    if (selected.value === name) return
    selected.value = name
    files.value = []
    hidden.value = false
    folder.value = ''
    history.value = []
    await refreshFiles()
  }

  /** Opens a folder of the bucket; Back returns to the one before. */
  function enter(path: string): void {
    if (path === folder.value) return
    history.value = [...history.value, folder.value]
    folder.value = path
  }

  function up(): void {
    if (folder.value !== '') enter(parentOf(folder.value))
  }

  function back(): void {
    const before = history.value.at(-1)
    if (before === undefined) return
    history.value = history.value.slice(0, -1)
    folder.value = before
  }

  /** Lists the selected bucket's files; the refresh store decides when. */
  async function refreshFiles(): Promise<void> {
    const bucket = selected.value
    if (bucket === null) return
    loadingFiles.value = true
    try {
      const answer = await bridge().invoke('files:list', { bucket })
      // A drop box refuses listings: said in place of the files, not as a failure.
      const refused = !answer.ok && answer.error.code === 850
      if (refused && answer.error.message.endsWith(NOT_ALLOWED)) {
        if (selected.value === bucket) [hidden.value, files.value] = [true, []]
        return
      }
      const list = listed(answer)
      // A slow answer for a bucket no longer selected is dropped.
      if (list && selected.value === bucket) {
        hidden.value = false
        files.value = list
        // A folder gone meanwhile (deleted, renamed by someone) leaves its nearest parent shown.
        while (!hasFolder(list, folder.value)) folder.value = parentOf(folder.value)
      }
    } finally {
      loadingFiles.value = false
    }
  }

  async function create(name: string): Promise<boolean> {
    notices.dismiss()
    const result = await bridge().invoke('buckets:create', { name })
    if (!result.ok) notices.fail(result.error)
    await useRefreshStore().now()
    if (result.ok) await select(name)
    return result.ok
  }

  async function remove(name: string): Promise<void> {
    notices.dismiss()
    notices.unwrap(await bridge().invoke('buckets:delete', { name }))
    await useRefreshStore().now()
  }

  async function deleteFiles(names: string[]): Promise<void> {
    const bucket = selected.value
    if (bucket === null || names.length === 0) return
    notices.dismiss()
    const result = notices.unwrap(await bridge().invoke('files:delete', { bucket, names }))
    if (result && result.failed.length > 0)
      notices.fail({
        code: 1050,
        message: result.failed.map((f) => `${f.name}: ${f.error}`).join('; '),
      })
    await useRefreshStore().now()
  }

  /** Renames or moves a file or folder of the selected bucket; false when refused. */
  async function rename(from: string, to: string): Promise<boolean> {
    const bucket = selected.value
    if (bucket === null || from === to) return false
    notices.dismiss()
    const result = await bridge().invoke('files:rename', { bucket, from, to })
    if (!result.ok) notices.fail(result.error)
    await useRefreshStore().now()
    return result.ok
  }

  /** Moves each of `names` into `target`, keeping its name; a folder never into itself. */
  async function move(names: string[], target: string): Promise<void> {
    for (const name of names)
      if (target !== name && !target.startsWith(`${name}/`) && parentOf(name) !== target)
        await rename(name, movedInto(name, target))
  }

  /** Makes a folder named `name` in the folder being browsed. */
  async function mkdir(name: string): Promise<boolean> {
    const bucket = selected.value
    if (bucket === null) return false
    notices.dismiss()
    const path = folder.value === '' ? name : `${folder.value}/${name}`
    const result = await bridge().invoke('files:mkdir', { bucket, folder: path })
    if (!result.ok) notices.fail(result.error)
    await useRefreshStore().now()
    return result.ok
  }

  function clear(): void {
    buckets.value = []
    files.value = []
    hidden.value = false
    selected.value = null
    folder.value = ''
    history.value = []
  }

  return {
    buckets,
    selected,
    files,
    folder,
    history,
    rows,
    enter,
    up,
    back,
    rename,
    move,
    mkdir,
    loadingBuckets,
    loadingFiles,
    hidden,
    refresh,
    select,
    refreshFiles,
    create,
    remove,
    deleteFiles,
    clear,
  }
})
