import { createBucket, deleteBucket, listBuckets } from './buckets.js'
import { listAllFiles, listFiles, openForDownload } from './files.js'
import { createFolder, deleteEntry, renameEntry } from './folders.js'
import type { Placement } from './placing.js'
import { restoreBucket, restoreFile } from './restore.js'
import type { KeepOptions } from './partials.js'
import { openRoot, type Root } from './root.js'
import { heldFor } from './held.js'
import { beginUpload, type HeldBytes } from './staging.js'
import type { Store } from './store.js'
import type { Actor, TrashOptions } from './trash.js'
import { folderVersion } from './version.js'

/** The buckets as sub-folders of a folder on this computer (the functions of this folder). */
export class FolderStore implements Store {
  constructor(readonly root: Root) {}

  get location(): string {
    return this.root.path
  }

  listBuckets = () => listBuckets(this.root)
  createBucket = (name: string) => createBucket(this.root, name)
  deleteBucket = (name: string, by: Actor) => deleteBucket(this.root, name, by)
  listFiles = (bucket: string, folder?: string) => listFiles(this.root, bucket, folder)
  listAllFiles = () => listAllFiles(this.root)
  deleteFile = (bucket: string, file: string, by: Actor) => deleteEntry(this.root, bucket, file, by)
  createFolder = (bucket: string, folder: string) => createFolder(this.root, bucket, folder)
  rename = (bucket: string, from: string, to: string) => renameEntry(this.root, bucket, from, to)
  openForDownload = (bucket: string, file: string, from?: number) =>
    openForDownload(this.root, bucket, file, from)
  beginUpload = (bucket: string, file: string, size: number, how: Placement, held?: HeldBytes) =>
    beginUpload(this.root, bucket, file, size, how, held)
  held = (bucket: string, file: string, size: number) => heldFor(this.root, bucket, file, size)
  get trash() {
    return this.root.trash
  }
  restoreFile = (bucket: string, file: string) => restoreFile(this.root, bucket, file)
  restoreBucket = (bucket: string) => restoreBucket(this.root, bucket)
  version = () => folderVersion(this.root)
  close = () => {
    this.root.trash?.close()
    return Promise.resolve()
  }
}

/** Opens a folder to share; fails with a message fit to show a person. */
export async function openFolderStore(
  dir: string,
  options: { trash?: TrashOptions; keep?: Partial<KeepOptions> } = {},
): Promise<FolderStore> {
  return new FolderStore(await openRoot(dir, options))
}
