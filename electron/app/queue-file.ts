import Conf from 'conf'
import type { TransferInfo } from '../../shared/ipc.js'
import type { AnyTransfer, LocalTransfer } from '../client/index.js'

/** The peer a transfer belongs to: it continues only there (by certificate, when it has one). */
export interface QueuedPeer {
  host: string
  port: number
  /** The peer's certificate; null for plain TCP. */
  fingerprint: string | null
}

/**
 * A transfer as the queue keeps it on disk: enough to list it after a restart and to run it again.
 * Never a secret: an access code stays in memory (the person gives it again after a restart).
 */
export interface KeptTransfer {
  info: TransferInfo
  peer: QueuedPeer
  /** The local file or folder; absent when the bytes came from or went to a browser page. */
  local?: string
  /** A download known to be a folder's tree. */
  tree?: boolean
  /** Its tree goes to `local` itself (LocalTransfer.exact). */
  exact?: boolean
}

/**
 * After a write, later changes wait this long and are written together: 10,000 files change state
 * 30,000 times. A crash loses at most this much: a transfer started just before is not listed
 * after the restart, one that had just ended is listed again and then finishes at once.
 */
const WRITE_PAUSE_MS = 500

/**
 * The transfer queue in the app's config folder (`transfers.json` beside the settings), written
 * whole and atomically by `conf`, so a crash leaves the last complete queue.
 */
export class QueueFile {
  private readonly conf: Conf<{ transfers: KeptTransfer[] }>
  private timer: NodeJS.Timeout | undefined
  private pending: (() => KeptTransfer[]) | undefined

  /** `dir`: the app's data folder (a temporary one in tests). */
  constructor(dir: string) {
    this.conf = new Conf<{ transfers: KeptTransfer[] }>({
      cwd: dir,
      configName: 'transfers',
      defaults: { transfers: [] },
      // A queue file edited by hand into nonsense must not stop the app from starting.
      clearInvalidConfig: true,
    })
  }

  read(): KeptTransfer[] {
    const kept = this.conf.get('transfers')
    return Array.isArray(kept) ? kept.filter(isKept) : []
  }

  /** Writes what `list` returns: now, or with later changes once the last write is old enough. */
  write(list: () => KeptTransfer[]): void {
    this.pending = list
    if (!this.timer) this.flush()
  }

  /** Writes a pending change now (as the app quits). */
  flush(): void {
    const list = this.pending
    this.pending = undefined
    if (!list) return
    this.conf.set('transfers', list())
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.flush()
    }, WRITE_PAUSE_MS).unref()
  }
}

/**
 * How a transfer is kept: with its local path, to run it again; a page's without one, only to be
 * listed once more (as failed) after a restart. Undefined for what cannot be described again.
 */
export function keptOf(
  info: TransferInfo,
  spec: AnyTransfer,
  peer: QueuedPeer,
  page: boolean,
): KeptTransfer | undefined {
  const { items, retryAt, ...rest } = info
  const row = { ...rest, rate: 0 }
  if ('local' in spec)
    return {
      info: row,
      peer,
      local: spec.local,
      ...(spec.tree ? { tree: true } : {}),
      ...(spec.exact ? { exact: true } : {}),
    }
  return page ? { info: row, peer } : undefined
}

/**
 * A kept transfer after a restart: queued again (unless it was paused or failed) with the spec to
 * run it; one whose bytes came from (or went to) a browser page has none, and fails saying so.
 */
export function restored(kept: KeptTransfer): {
  info: TransferInfo
  spec: LocalTransfer | undefined
} {
  const { info, local, tree, exact } = kept
  const { retryAt, error, ...rest } = info
  if (local === undefined)
    return {
      info: { ...rest, rate: 0, state: 'failed', error: pageBytesGone(info.direction) },
      spec: undefined,
    }
  const { direction, bucket, name } = info
  const spec = {
    direction,
    bucket,
    name,
    local,
    ...(tree ? { tree } : {}),
    ...(exact ? { exact } : {}),
  }
  const held = info.state === 'paused' || info.state === 'failed'
  return {
    info: {
      ...rest,
      rate: 0,
      state: held ? info.state : 'queued',
      ...(held && error ? { error } : {}),
    },
    spec,
  }
}

/** What a restored transfer whose bytes came from (or went to) a browser page says: they are gone. */
export function pageBytesGone(direction: TransferInfo['direction']): string {
  return direction === 'upload'
    ? 'BucketShare was restarted and the page no longer holds this file: upload it again'
    : 'BucketShare was restarted and the page no longer takes this download: download it again'
}

/** Only well-formed entries are taken from a file that may have been edited by hand. */
function isKept(value: unknown): value is KeptTransfer {
  const kept = value as Partial<KeptTransfer> | null
  return (
    typeof kept?.info?.id === 'string' &&
    (kept.info.direction === 'upload' || kept.info.direction === 'download') &&
    typeof kept.info.bucket === 'string' &&
    typeof kept.info.name === 'string' &&
    typeof kept.peer?.host === 'string' &&
    typeof kept.peer.port === 'number' &&
    (kept.local === undefined || typeof kept.local === 'string')
  )
}
