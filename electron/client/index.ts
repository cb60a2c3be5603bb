export {
  BucketClient,
  TRANSFER_CONCURRENCY,
  type ClientEvents,
  type CommandRecord,
} from './client.js'
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_RESPONSE_TIMEOUT_MS,
  speaksTls,
  type ConnectOptions,
  type RawResponse,
} from './connection.js'
export {
  CertificateChangedError,
  ProtocolError,
  TransportError,
  type TransportReason,
} from './errors.js'
export { PROGRESS_INTERVAL_MS, type Progress } from './progress.js'
export { LANE_DEPTH, LANE_MAX_BYTES } from './pipeline.js'
export type {
  DownloadOptions,
  TransferOptions,
  TransferResult,
  TransferSpec,
  UploadOptions,
} from './transfers.js'
export {
  fileSource,
  fileTarget,
  LocalFileError,
  streamSource,
  streamTarget,
  type DownloadTarget,
  type IncomingFile,
  type UploadSource,
} from './endpoints.js'
export {
  CONSOLE_ORIGIN,
  runConsoleLine,
  transferOfLine,
  transferResultOf,
  type ConsoleResult,
  type LineTransfer,
} from './console.js'
export { KnownHosts } from './known-hosts.js'
export {
  downloadTree,
  receiveTree,
  sendTree,
  uploadTree,
  type TreeFileOutcome,
  type TreeOptions,
  type TreeProgress,
  type TreeResult,
  type TreeSink,
  type TreeSourceFile,
} from './trees.js'
export {
  isFileResult,
  runTransfer,
  type AnyResult,
  type AnyTransfer,
  type LocalTransfer,
  type TreeTransfer,
} from './run-transfer.js'
