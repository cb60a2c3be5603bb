import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { BridgeError, Envelope } from '../../../shared/ipc.js'
import type { BucketEntry, FileEntry } from '../../../shared/protocol/index.js'
import { bridge } from '../bridge/index.js'
import { useNoticesStore } from './notices.js'
import { useRefreshStore } from './refresh.js'

/** A lost connection is told once, by the Connect panel, not again by each listing it broke. */
const OFFLINE = new Set<BridgeError['code']>(['TRANSPORT', 'NOT_CONNECTED'])

/** The peer's buckets and the files of the selected one. */
export const useBucketsStore = defineStore('buckets', () => {
  const notices = useNoticesStore()
  // Listings are replaced whole, never edited: shallow refs keep 100,000 files cheap to sort.
  const buckets = shallowRef<BucketEntry[]>([])
  const selected = ref<string | null>(null)
  const files = shallowRef<FileEntry[]>([])
  const loadingBuckets = ref(false)
  const loadingFiles = ref(false)

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
      }
    } finally {
      loadingBuckets.value = false
    }
  }

  async function select(name: string | null): Promise<void> {
    if (selected.value === name) return
    selected.value = name
    files.value = []
    await refreshFiles()
  }

  /** Lists the selected bucket's files; the refresh store decides when. */
  async function refreshFiles(): Promise<void> {
    const bucket = selected.value
    if (bucket === null) return
    loadingFiles.value = true
    try {
      const list = listed(await bridge().invoke('files:list', { bucket }))
      // A slow answer for a bucket no longer selected is dropped.
      if (list && selected.value === bucket) files.value = list
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

  function clear(): void {
    buckets.value = []
    files.value = []
    selected.value = null
  }

  return {
    buckets,
    selected,
    files,
    loadingBuckets,
    loadingFiles,
    refresh,
    select,
    refreshFiles,
    create,
    remove,
    deleteFiles,
    clear,
  }
})
