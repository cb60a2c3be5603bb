import fs from 'node:fs/promises'
import { ProtocolError } from '../../shared/protocol/index.js'
import type { BucketClient } from './client.js'
import { fileSource, fileTarget } from './endpoints.js'
import {
  downloadTree,
  receiveTree,
  sendTree,
  uploadTree,
  type TreeFileOutcome,
  type TreeProgress,
  type TreeResult,
  type TreeSink,
  type TreeSourceFile,
} from './trees.js'
import {
  noSuchFile,
  type TransferOptions,
  type TransferResult,
  type TransferSpec,
} from './transfers.js'

/**
 * A transfer of a local path as a person names it: a file, or a folder's whole tree. Only the
 * server knows whether a download's name is a file or a folder.
 */
export interface LocalTransfer {
  direction: 'upload' | 'download'
  bucket: string
  name: string
  /** The local file or folder (a download's destination: ending in a separator, a folder). */
  local: string
  /** Known to be a folder on the server: a download goes straight to its tree. */
  tree?: boolean
  /** A download's size as a listing showed it: a small file shares a connection (pipeline.ts). */
  size?: number
  /**
   * A tree download goes to `local` itself, as an earlier attempt chose, never inside it: a cut
   * one then continues in place although its folder exists now.
   */
  exact?: boolean
}

/**
 * A tree whose files come from somewhere else than a local folder, or go somewhere else (a
 * browser's picked folder): its files with their sources and its empty folders, or its sink.
 */
export type TreeTransfer =
  | {
      direction: 'upload'
      bucket: string
      /** The tree's folder in the bucket. */
      name: string
      files: TreeSourceFile[]
      /** Empty folders, relative to the tree's folder. */
      folders: string[]
    }
  | { direction: 'download'; bucket: string; name: string; into: TreeSink }

export type AnyTransfer = TransferSpec | LocalTransfer | TreeTransfer

export interface AnyTransferOptions extends TransferOptions {
  /** A tree's progress also counts whole files. */
  onProgress?: (
    progress: TreeProgress | Parameters<NonNullable<TransferOptions['onProgress']>>[0],
  ) => void
  /** A tree tells each of its files as it ends. */
  onFile?: (file: TreeFileOutcome) => void
  /** A tree download tells the local folder it writes, once chosen. */
  onTreeFolder?: (folder: string) => void
}

/** One file's result, or a tree's summary. */
export type AnyResult = TransferResult | TreeResult

/** Runs any transfer: a spec as it is, a local path as the file or tree it turns out to be. */
export async function runTransfer(
  client: BucketClient,
  spec: AnyTransfer,
  options: AnyTransferOptions = {},
): Promise<AnyResult> {
  if ('files' in spec) return sendTree(client, { ...options, ...spec })
  if ('into' in spec) return receiveTree(client, { ...options, ...spec })
  if (!('local' in spec)) return client.transfer(spec, options)
  const { bucket, name, local } = spec
  if (spec.direction === 'upload') {
    if ((await fs.stat(local).catch(() => undefined))?.isDirectory())
      return uploadTree(client, { ...options, bucket, name, local })
    return client.upload({ ...options, bucket, name, source: fileSource(local) })
  }
  if (spec.tree)
    return downloadTree(client, { ...options, bucket, name, local, exact: spec.exact === true })
  // Most names are files: a file is asked for first, the folder's tree when no file has the name.
  try {
    const size = spec.size === undefined ? {} : { size: spec.size }
    return await client.download({ ...options, bucket, name, target: fileTarget(local), ...size })
  } catch (err) {
    if (!noSuchFile(err)) throw err
    return downloadTree(client, { ...options, bucket, name, local }).catch((failure: unknown) => {
      // Neither a file nor a folder: the file's answer says it best.
      throw failure instanceof ProtocolError && failure.code === 850 ? err : failure
    })
  }
}

/** Whether a result is one file's (with its response and sha256) rather than a tree's. */
export function isFileResult(result: AnyResult): result is TransferResult {
  return 'response' in result
}
