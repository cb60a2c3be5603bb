export { openRoot, type Root } from './root.js'
export { createBucket, deleteBucket, listBuckets } from './buckets.js'
export {
  deleteFile,
  listAllFiles,
  listFiles,
  openForDownload,
  type BucketFile,
  type Download,
} from './files.js'
export { beginUpload, StagedUpload } from './staging.js'
export { StoreError, toStoreError } from './errors.js'
export { folderVersion } from './version.js'
