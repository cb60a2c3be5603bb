import Conf from 'conf'
import type { TransferInfo } from '../../shared/ipc.js'

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
}

/** Writes are gathered for this long: a folder of 10,000 files changes state 30,000 times. */
const WRITE_DELAY_MS = 200

/**
 * The transfer queue in the app's config folder (`transfers.json` beside the settings), written
 * whole and atomically by `conf`, so a crash leaves the last complete queue.
 */
export class QueueFile {
  private readonly conf: Conf<{ transfers: KeptTransfer[] }>
  private timer: NodeJS.Timeout | undefined
  private pending: (() => KeptTransfer[]) | undefined

  constructor(dir?: string) {
    this.conf = new Conf<{ transfers: KeptTransfer[] }>({
      projectName: 'bucketshare',
      projectSuffix: '',
      configName: 'transfers',
      ...(dir ? { cwd: dir } : {}),
      defaults: { transfers: [] },
      // A queue file edited by hand into nonsense must not stop the app from starting.
      clearInvalidConfig: true,
    })
  }

  get path(): string {
    return this.conf.path
  }

  read(): KeptTransfer[] {
    const kept = this.conf.get('transfers')
    return Array.isArray(kept) ? kept.filter(isKept) : []
  }

  /** Writes what `list` returns, soon; later calls before then write only once. */
  write(list: () => KeptTransfer[]): void {
    this.pending = list
    this.timer ??= setTimeout(() => this.flush(), WRITE_DELAY_MS)
  }

  /** Writes a pending change now (as the app quits). */
  flush(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    const list = this.pending
    this.pending = undefined
    if (list) this.conf.set('transfers', list())
  }
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
