import { createBucket, deleteBucket, listBuckets } from './buckets.js'
import { listAllFiles, listFiles, openForDownload } from './files.js'
import { createFolder, deleteEntry, renameEntry } from './folders.js'
import { openRoot, type Root } from './root.js'
import { beginUpload } from './staging.js'
import type { Store } from './store.js'
import { folderVersion } from './version.js'

/** The buckets as sub-folders of a folder on this computer (the functions of this folder). */
export class FolderStore implements Store {
  constructor(readonly root: Root) {}

  get location(): string {
    return this.root.path
  }

  listBuckets = () => listBuckets(this.root)
  createBucket = (name: string) => createBucket(this.root, name)
  deleteBucket = (name: string) => deleteBucket(this.root, name)
  listFiles = (bucket: string, folder?: string) => listFiles(this.root, bucket, folder)
  listAllFiles = () => listAllFiles(this.root)
  deleteFile = (bucket: string, file: string) => deleteEntry(this.root, bucket, file)
  createFolder = (bucket: string, folder: string) => createFolder(this.root, bucket, folder)
  rename = (bucket: string, from: string, to: string) => renameEntry(this.root, bucket, from, to)
  openForDownload = (bucket: string, file: string) => openForDownload(this.root, bucket, file)
  beginUpload = (bucket: string, file: string, size: number) =>
    beginUpload(this.root, bucket, file, size)
  version = () => folderVersion(this.root)
  close = () => Promise.resolve()
}

/** Opens a folder to share; fails with a message fit to show a person. */
export async function openFolderStore(dir: string): Promise<FolderStore> {
  return new FolderStore(await openRoot(dir))
}
