import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { TransferInfo } from '../../../shared/ipc.js'
import { bridge } from '../bridge/index.js'
import type { PickedTree } from '../picked.js'
import { useNoticesStore } from './notices.js'

/** Transfers of this session, newest first, with their progress. */
export const useTransfersStore = defineStore('transfers', () => {
  const notices = useNoticesStore()
  const byId = ref(new Map<string, TransferInfo>())
  /** Called when a transfer ends, e.g. to refresh a listing. */
  const finishedHandlers: ((t: TransferInfo) => void)[] = []

  const items = computed(() => [...byId.value.values()].reverse())
  const active = computed(() => items.value.filter((t) => t.state === 'running').length)

  function update(info: TransferInfo): void {
    const before = byId.value.get(info.id)
    // A late progress report must not undo a transfer's end.
    if (before && before.state !== 'running') return
    byId.value.set(info.id, info)
    if (info.state !== 'running') finishedHandlers.forEach((h) => h(info))
  }

  function onFinished(handler: (t: TransferInfo) => void): void {
    finishedHandlers.push(handler)
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

  async function download(bucket: string, names: string[], folders?: string[]): Promise<void> {
    if (names.length === 0) return
    const started = notices.unwrap(await bridge().download(bucket, names, folders))
    started?.forEach(update)
  }

  async function cancel(id: string): Promise<void> {
    notices.unwrap(await bridge().invoke('transfers:cancel', { id }))
  }

  function clearFinished(): void {
    for (const [id, t] of byId.value) if (t.state !== 'running') byId.value.delete(id)
  }

  return {
    byId,
    items,
    active,
    update,
    onFinished,
    upload,
    uploadTree,
    uploadChosenFolder,
    download,
    cancel,
    clearFinished,
  }
})
