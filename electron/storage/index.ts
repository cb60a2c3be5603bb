export { openRoot, type Root } from './root.js'
export type { BucketFile, Download, Held, Store, TrashBin, Upload } from './store.js'
export { FolderStore, openFolderStore } from './folder.js'
export { createBucket, deleteBucket, listBuckets } from './buckets.js'
export { listAllFiles, listFiles, openForDownload } from './files.js'
export { beginUpload, StagedUpload, SYNC_EVERY_BYTES, type HeldBytes } from './staging.js'
export { heldFor } from './held.js'
export {
  DEFAULT_KEEP_PARTIALS_MS,
  DEFAULT_MAX_PARTIAL_BYTES,
  type KeepOptions,
} from './partials.js'
export { createFolder, deleteEntry, renameEntry } from './folders.js'
export { ResumeRefused, SetupError, StoreError, toStoreError } from './errors.js'
export { folderVersion } from './version.js'
export { DEFAULT_TRASH, Trash, type Actor, type TrashOptions, type TrashRecord } from './trash.js'
export type { Placed, Placement } from './placing.js'
export { restoreBucket, restoreFile } from './restore.js'
