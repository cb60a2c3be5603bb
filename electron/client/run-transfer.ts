import fs from 'node:fs/promises'
import { ProtocolError } from '../../shared/protocol/index.js'
import type { BucketClient } from './client.js'
import { fileSource, fileTarget } from './endpoints.js'
import type { TreeFileOutcome, TreeProgress } from './trees.js'
import { downloadTree, uploadTree, type TreeResult } from './trees.js'
import type { TransferOptions, TransferResult, TransferSpec } from './transfers.js'

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
}

export type AnyTransfer = TransferSpec | LocalTransfer

export interface AnyTransferOptions extends TransferOptions {
  /** A tree's progress also counts whole files. */
  onProgress?: (
    progress: TreeProgress | Parameters<NonNullable<TransferOptions['onProgress']>>[0],
  ) => void
  /** A tree tells each of its files as it ends. */
  onFile?: (file: TreeFileOutcome) => void
}

/** One file's result, or a tree's summary. */
export type AnyResult = TransferResult | TreeResult

/** Runs any transfer: a spec as it is, a local path as the file or tree it turns out to be. */
export async function runTransfer(
  client: BucketClient,
  spec: AnyTransfer,
  options: AnyTransferOptions = {},
): Promise<AnyResult> {
  if (!('local' in spec)) return client.transfer(spec, options)
  const { bucket, name, local } = spec
  if (spec.direction === 'upload') {
    if ((await fs.stat(local).catch(() => undefined))?.isDirectory())
      return uploadTree(client, { ...options, bucket, name, local })
    return client.upload({ ...options, bucket, name, source: fileSource(local) })
  }
  if (spec.tree) return downloadTree(client, { ...options, bucket, name, local })
  // Most names are files: a file is asked for first, the folder's tree when no file has the name.
  try {
    return await client.download({ ...options, bucket, name, target: fileTarget(local) })
  } catch (err) {
    if (!(err instanceof ProtocolError && err.code === 950 && err.detail === 'no such file'))
      throw err
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
