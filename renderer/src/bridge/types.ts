import type { BridgeApi, Envelope, TransferInfo } from '../../../shared/ipc.js'
import type { PickedTree } from '../picked.js'

/**
 * What the renderer talks to: the contract of shared/ipc.ts, plus moving files the person picked
 * or dropped (the desktop app hands their local paths over; a browser sends their bytes).
 */
export interface Bridge extends BridgeApi {
  /** Uploads `files`, each named `names[i]` in the bucket, or its own name when not given. */
  upload(bucket: string, files: File[], names?: string[]): Promise<Envelope<TransferInfo[]>>
  /** Uploads a folder picked or dropped in the page as one transfer of its tree, named `name`. */
  uploadTree(bucket: string, name: string, tree: PickedTree): Promise<Envelope<TransferInfo[]>>
  /**
   * Downloads files and folders (`folders` says which of `names` are folders: whole trees), into a
   * folder the person chooses first; an empty list when they cancelled. `sizes`: each name's size
   * as listed, so that small files go several at a time.
   */
  download(
    bucket: string,
    names: string[],
    folders?: string[],
    sizes?: number[],
  ): Promise<Envelope<TransferInfo[]>>
}

/** What the Electron preload exposes as `window.bucketshare`. */
export interface PreloadApi extends BridgeApi {
  /** The local path of a picked or dropped file (Electron hides it from the DOM). */
  pathForFile(file: File): string
}
