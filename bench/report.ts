import type { CommandsResult } from './scenarios/commands.js'
import type { LargeResult } from './scenarios/large.js'
import type { ListingResult } from './scenarios/listing.js'
import type { SmallResult } from './scenarios/small.js'

export interface Results {
  machine: { node: string; cpus: number; platform: string }
  options: Record<string, unknown>
  large: LargeResult
  small: SmallResult
  commands: CommandsResult
  listing: ListingResult
  tls?: {
    large: LargeResult
    small: SmallResult
    uploadRatioToPlain: number
    downloadRatioToPlain: number
    smallRatioToPlain: number
  }
}

type Row = [scenario: string, figure: string, target: string, met: boolean | null]

const n = (value: number, digits = 0): string =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', {
        maximumFractionDigits: digits,
        minimumFractionDigits: digits,
      })
    : '—'

/** The table a person reads: each figure next to its target. */
export function rows(r: Results): Row[] {
  const out: Row[] = [
    [
      `upload ${n(r.large.sizeMiB)} MiB`,
      `${n(r.large.upload.oursMiBs)} MiB/s (baseline ${n(r.large.upload.baselineMiBs)}, ratio ${n(r.large.upload.ratio, 2)})`,
      '≥ 0.90 × baseline',
      r.large.upload.ratio >= 0.9,
    ],
    [
      `download ${n(r.large.sizeMiB)} MiB`,
      `${n(r.large.download.oursMiBs)} MiB/s (baseline ${n(r.large.download.baselineMiBs)}, ratio ${n(r.large.download.ratio, 2)})`,
      '≥ 0.90 × baseline',
      r.large.download.ratio >= 0.9,
    ],
    [
      `upload vs fsync'd baseline`,
      `baseline with fsync ${n(r.large.uploadSynced.baselineMiBs)} MiB/s, ratio ${n(r.large.uploadSynced.ratio, 2)}`,
      'same durability, for scale',
      null,
    ],
    ['local file copy (disk)', `${n(r.large.diskCopyMiBs)} MiB/s`, 'for scale', null],
    [
      'server peak RSS',
      `${n(r.large.serverPeakRssMB)} MB`,
      '< 100 MB',
      r.large.serverPeakRssMB < 100,
    ],
    [
      `${n(r.small.files)} × ${n(r.small.sizeKiB)} KiB up`,
      `${n(r.small.uploadFilesPerSecond)} files/s`,
      '≥ 1,000 files/s',
      r.small.uploadFilesPerSecond >= 1000,
    ],
    [
      `${n(r.small.files)} × ${n(r.small.sizeKiB)} KiB down`,
      `${n(r.small.downloadFilesPerSecond)} files/s`,
      '≥ 1,000 files/s',
      r.small.downloadFilesPerSecond >= 1000,
    ],
    [
      `commands, ${r.commands.connections} connections`,
      `${n(r.commands.perSecond)} /s, p50 ${n(r.commands.p50ms, 1)} ms, p99 ${n(r.commands.p99ms, 1)} ms`,
      '≥ 10,000 /s, p99 < 50 ms',
      r.commands.perSecond >= 10_000 && r.commands.p99ms < 50,
    ],
    [
      `ls_f of ${n(r.listing.files)} files`,
      `first ${n(r.listing.firstEntryMs, 1)} ms, all ${n(r.listing.completeMs)} ms, client heap +${n(r.listing.clientHeapGrowthMB, 1)} MB`,
      'first < 200 ms, all < 2,000 ms',
      r.listing.firstEntryMs < 200 && r.listing.completeMs < 2000,
    ],
  ]
  if (r.tls)
    out.push(
      [
        `TLS upload ${n(r.tls.large.sizeMiB)} MiB`,
        `${n(r.tls.large.upload.oursMiBs)} MiB/s (${n(r.tls.uploadRatioToPlain, 2)} × plain)`,
        'reported',
        null,
      ],
      [
        `TLS download ${n(r.tls.large.sizeMiB)} MiB`,
        `${n(r.tls.large.download.oursMiBs)} MiB/s (${n(r.tls.downloadRatioToPlain, 2)} × plain)`,
        'reported',
        null,
      ],
      [
        `TLS ${n(r.tls.small.files)} small files up`,
        `${n(r.tls.small.uploadFilesPerSecond)} files/s (${n(r.tls.smallRatioToPlain, 2)} × plain)`,
        'reported',
        null,
      ],
    )
  return out
}

export function printTable(r: Results): void {
  const table = rows(r)
  const widths = [0, 1, 2].map((i) => Math.max(...table.map((row) => String(row[i]).length), 8))
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')
  console.log(line(['scenario', 'measured', 'target']) + '  met')
  for (const [scenario, figure, target, met] of table)
    console.log(`${line([scenario, figure, target])}  ${met === null ? '' : met ? 'yes' : 'NO'}`)
}
