import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import type { TransferInfo } from '../../../shared/ipc.js'
import { bridge } from '../bridge/index.js'
import type { PickedTree } from '../picked.js'
import { useNoticesStore } from './notices.js'

/** Done or cancelled: nothing more happens to it (a failed one may be tried again). */
export function isFinal(t: TransferInfo): boolean {
  return t.state === 'done' || t.state === 'cancelled'
}

/**
 * Whether `info` is older news than `before`: a report of an earlier start, or a progress report
 * of a start that already stopped.
 */
function stale(before: TransferInfo, info: TransferInfo): boolean {
  const was = before.attempt ?? 0
  const now = info.attempt ?? 0
  return now < was || (now === was && before.state !== 'running' && info.state === 'running')
}

/** Transfers of this session (and the queue's unfinished ones), newest first, with their progress. */
export const useTransfersStore = defineStore('transfers', () => {
  const notices = useNoticesStore()
  const byId = ref(new Map<string, TransferInfo>())
  /** The transfer that stopped last (done, failed, cancelled, paused): see onFinished. */
  const lastFinished = shallowRef<TransferInfo | null>(null)

  const items = computed(() => [...byId.value.values()].reverse())
  const active = computed(() => items.value.filter((t) => t.state === 'running').length)
  /** Running or waiting to start again. */
  const unfinished = computed(() => items.value.filter((t) => !isFinal(t) && t.state !== 'failed'))
  const paused = computed(() => items.value.filter((t) => t.state === 'paused').length)
  const failed = computed(() => items.value.filter((t) => t.state === 'failed').length)

  function update(info: TransferInfo): void {
    const before = byId.value.get(info.id)
    if (before && (isFinal(before) || stale(before, info))) return
    byId.value.set(info.id, info)
    if (info.state !== 'running' && info.state !== 'queued') lastFinished.value = info
  }

  /**
   * Calls `handler` with each transfer that stops (e.g. to refresh a listing), at once, however
   * many stop together. Returns the function that unsubscribes.
   */
  function onFinished(handler: (t: TransferInfo) => void): () => void {
    return watch(lastFinished, (t) => t && handler(t), { flush: 'sync' })
  }

  /** Uploads `files`, each named `names[i]` in the bucket, or its own name when not given. */
  async function upload(bucket: string, files: File[], names?: string[]): Promise<void> {
    if (files.length === 0) return
    const started = notices.unwrap(await bridge().upload(bucket, files, names))
    started?.forEach(update)
  }

  /** Uploads a folder picked or dropped in the page as one transfer of its tree, named `name`. */
  async function uploadTree(bucket: string, name: string, tree: PickedTree): Promise<void> {
    const started = notices.unwrap(await bridge().uploadTree(bucket, name, tree))
    started?.forEach(update)
  }

  /**
   * The desktop app: asks for a folder with the system's dialog and uploads it as one transfer
   * of its tree, empty folders included, as `<into>/<its name>` (`into` '' : the bucket's top).
   */
  async function uploadChosenFolder(bucket: string, into: string): Promise<void> {
    const chosen = notices.unwrap(
      await bridge().invoke('dialog:chooseFolder', { purpose: 'upload' }),
    )
    if (!chosen) return
    const own = chosen.split(/[\\/]/).filter(Boolean).at(-1) ?? chosen
    const name = into === '' ? own : `${into}/${own}`
    const started = notices.unwrap(
      await bridge().invoke('transfers:upload', { bucket, paths: [chosen], names: [name] }),
    )
    started?.forEach(update)
  }

  async function download(
    bucket: string,
    names: string[],
    folders?: string[],
    sizes?: number[],
  ): Promise<void> {
    if (names.length === 0) return
    const started = notices.unwrap(await bridge().download(bucket, names, folders, sizes))
    started?.forEach(update)
  }

  async function cancel(id: string): Promise<void> {
    notices.unwrap(await bridge().invoke('transfers:cancel', { id }))
  }

  /** Pauses one transfer, or all when no id is given. */
  async function pause(id?: string): Promise<void> {
    notices.unwrap(await bridge().invoke('transfers:pause', id ? { id } : {}))
  }

  /** Resumes one paused or failed transfer, or all paused ones when no id is given. */
  async function resume(id?: string): Promise<void> {
    notices.unwrap(await bridge().invoke('transfers:resume', id ? { id } : {}))
  }

  async function retryFailed(): Promise<void> {
    notices.unwrap(await bridge().invoke('transfers:retryFailed'))
  }

  function clearFinished(): void {
    for (const [id, t] of byId.value) if (isFinal(t)) byId.value.delete(id)
  }

  return {
    byId,
    items,
    active,
    unfinished,
    paused,
    failed,
    lastFinished,
    update,
    onFinished,
    upload,
    uploadTree,
    uploadChosenFolder,
    download,
    cancel,
    pause,
    resume,
    retryFailed,
    clearFinished,
  }
})
