import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { BucketEntry, FileEntry } from '../../../shared/protocol/index.js'
import { bridge } from '../bridge/index.js'
import { useNoticesStore } from './notices.js'

/** The peer's buckets and the files of the selected one. */
export const useBucketsStore = defineStore('buckets', () => {
  const notices = useNoticesStore()
  // Listings are replaced whole, never edited: shallow refs keep 100,000 files cheap to sort.
  const buckets = shallowRef<BucketEntry[]>([])
  const selected = ref<string | null>(null)
  const files = shallowRef<FileEntry[]>([])
  const loadingBuckets = ref(false)
  const loadingFiles = ref(false)

  async function refresh(): Promise<void> {
    loadingBuckets.value = true
    try {
      const list = notices.unwrap(await bridge().invoke('buckets:list'))
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
    selected.value = name
    files.value = []
    await refreshFiles()
  }

  async function refreshFiles(): Promise<void> {
    const bucket = selected.value
    if (bucket === null) return
    loadingFiles.value = true
    try {
      const list = notices.unwrap(await bridge().invoke('files:list', { bucket }))
      // A slow answer for a bucket no longer selected is dropped.
      if (list && selected.value === bucket) files.value = list
    } finally {
      loadingFiles.value = false
    }
  }

  async function create(name: string): Promise<boolean> {
    const result = await bridge().invoke('buckets:create', { name })
    const ok = result.ok
    if (!result.ok) notices.fail(result.error)
    await refresh()
    if (ok) await select(name)
    return ok
  }

  async function remove(name: string): Promise<void> {
    notices.unwrap(await bridge().invoke('buckets:delete', { name }))
    await refresh()
  }

  async function deleteFiles(names: string[]): Promise<void> {
    const bucket = selected.value
    if (bucket === null || names.length === 0) return
    const result = notices.unwrap(await bridge().invoke('files:delete', { bucket, names }))
    if (result && result.failed.length > 0)
      notices.fail({
        code: 1050,
        message: result.failed.map((f) => `${f.name}: ${f.error}`).join('; '),
      })
    await Promise.all([refreshFiles(), refresh()])
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
