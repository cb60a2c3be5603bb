import type { CommandsResult } from './scenarios/commands.js'
import type { LargeResult, PeerResult } from './scenarios/large.js'
import type { LatencyResult, LatencyRun } from './scenarios/latency.js'
import type { ListingResult } from './scenarios/listing.js'
import type { ResumeResult } from './scenarios/resume.js'
import type { S3Result } from './scenarios/s3.js'
import type { SmallResult } from './scenarios/small.js'
import type { Cpu } from './cpu.js'
import { median } from './stats.js'

export interface Results {
  machine: { node: string; cpus: number; platform: string }
  options: Record<string, unknown>
  // Each is missing when the scenario was left out (--only, --no-tls).
  large?: LargeResult
  small?: SmallResult
  commands?: CommandsResult
  listing?: ListingResult
  latency?: LatencyResult
  /** A transfer cut at half and continued, both ways. */
  resume?: ResumeResult
  /** The S3 store (s3rver) against the folder store, the same file through both. */
  s3?: S3Result
  /** Our server over TLS; compared with plain TCP in the table when both ran. */
  tls?: { large: LargeResult; small: SmallResult }
}

type Row = [scenario: string, figure: string, target: string, met: boolean | null]

const n = (value: number, digits = 0): string =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', {
        maximumFractionDigits: digits,
        minimumFractionDigits: digits,
      })
    : '—'

/**
 * Each side's fastest run: a busy machine only ever slows a run down (on a virtual machine, by
 * up to three times, in the kernel's first touch of page-cache pages), so this shows what the code
 * does when nothing interferes.
 */
function bestRuns(d: LargeResult['upload']): Row {
  const ours = Math.max(...d.runsMiBs.ours)
  const baseline = Math.max(...d.runsMiBs.baseline)
  return [
    '  fastest runs',
    `${n(ours)} MiB/s (baseline ${n(baseline)}, ratio ${n(ours / baseline, 2)})`,
    'for scale',
    null,
  ]
}

/** The table a person reads: each figure next to its target. */
export function rows(r: Results): Row[] {
  const out: Row[] = []
  const { large, small, commands, listing, tls, latency, s3, resume } = r
  if (large) {
    const direction = (verb: string, d: LargeResult['upload'], equivalent: string): Row[] => [
      [
        `${verb} ${n(large.sizeMiB)} MiB`,
        `${n(d.oursMiBs)} MiB/s (baseline ${n(d.baselineMiBs)}, ratio ${n(d.ratio, 2)})`,
        '≥ 0.90 × baseline',
        d.ratio >= 0.9,
      ],
      [
        `  vs equivalent baseline`,
        `${n(d.equivalentMiBs)} MiB/s (${equivalent}), ratio ${n(d.equivalentRatio, 2)}`,
        'like for like, for scale',
        null,
      ],
      ...(d.runsMiBs.ours.length > 1 ? [bestRuns(d)] : []),
    ]
    const tails = large.upload.tailMs ?? []
    out.push(
      ...direction('upload', large.upload, 'SHA-256 both ends, fsync'),
      ...(tails.length > 0
        ? [
            [
              '  tail: last byte read → 700',
              `median ${n(median(tails))} ms, longest ${n(Math.max(...tails))} ms (bytes still in the socket buffers, final fsync, rename)`,
              '< 50 ms',
              median(tails) < 50,
            ] satisfies Row,
          ]
        : []),
      ...direction('download', large.download, 'SHA-256 both ends'),
      ['local file copy (disk)', `${n(large.diskCopyMiBs)} MiB/s`, 'for scale', null],
      [
        'server peak RSS',
        `${n(large.serverPeakRssMB)} MB (idle ${n(large.serverIdleRssMB)} MB)`,
        '< 100 MB',
        large.serverPeakRssMB < 100,
      ],
    )
  }
  if (small)
    out.push(
      [
        `${n(small.files)} × ${n(small.sizeKiB)} KiB up`,
        `${n(small.uploadFilesPerSecond)} files/s`,
        '≥ 1,000 files/s',
        small.uploadFilesPerSecond >= 1000,
      ],
      [
        `  vs durable writes alone`,
        `${n(small.durableWritesPerSecond)} files/s (fsync'd, renamed), ratio ${n(small.uploadFilesPerSecond / small.durableWritesPerSecond, 2)}`,
        'disk bound, for scale',
        null,
      ],
      [
        `${n(small.files)} × ${n(small.sizeKiB)} KiB down`,
        `${n(small.downloadFilesPerSecond)} files/s`,
        '≥ 1,000 files/s',
        small.downloadFilesPerSecond >= 1000,
      ],
    )
  if (latency) {
    const what = (way: string): string =>
      `${n(latency.files)} × ${n(latency.sizeKiB)} KiB ${way}, +${n(latency.delayMs)} ms each way`
    const { upload, put, download, listed } = latency
    const bounded = (run: LatencyRun): string =>
      `${n(run.filesPerSecond)} files/s (${run.roundTrips} round trips per file allow ${n(run.bound)}, ratio ${n(run.filesPerSecond / run.bound, 2)})`
    out.push(
      [what('up, upload'), bounded(upload), 'protocol 1, for scale', null],
      [
        what('up, put_f'),
        `${n(put.filesPerSecond)} files/s (${n(put.filesPerSecond / upload.filesPerSecond, 2)} × upload; ratio to upload's round-trip bound ${n(put.filesPerSecond / upload.bound, 2)})`,
        'not bound by round trips (ratio > 1)',
        put.filesPerSecond > upload.bound,
      ],
      [what('down, one by one'), bounded(download), 'size unknown, for scale', null],
      [
        what('down, listed'),
        `${n(listed.filesPerSecond)} files/s (${n(listed.filesPerSecond / download.filesPerSecond, 2)} × one by one; ratio to its round-trip bound ${n(listed.filesPerSecond / download.bound, 2)})`,
        'not bound by round trips (ratio > 1)',
        listed.filesPerSecond > download.bound,
      ],
    )
  }
  if (resume)
    out.push(
      ...(['upload', 'download'] as const).map((verb): Row => {
        const d = resume[verb]
        return [
          `${verb} ${n(resume.sizeMiB)} MiB cut at 50 %`,
          `continued from ${n(d.resumedAt / 1024 / 1024, 1)} MiB in ${n(d.continueSeconds, 2)} s (whole ${n(d.wholeSeconds, 2)} s, ratio ${n(d.continueSeconds / d.wholeSeconds, 2)}), ${n(d.resentBytes)} bytes sent twice`,
          'only the rest moves',
          d.resumedAt > 0 && d.resentBytes < 8 * 1024 * 1024,
        ]
      }),
    )
  if (s3)
    out.push(
      ...(['upload', 'download'] as const).map((verb): Row => {
        const key = verb === 'upload' ? 'uploadMiBs' : 'downloadMiBs'
        return [
          `S3 store ${verb} ${n(s3.sizeMiB)} MiB`,
          `${n(s3.s3[key])} MiB/s (folder store ${n(s3.folder[key])}, ratio ${n(s3.s3[key] / s3.folder[key], 2)})`,
          's3rver on this disk, for scale',
          null,
        ]
      }),
      [
        'S3 store server peak RSS',
        `${n(s3.s3.serverPeakRssMB)} MB (folder store ${n(s3.folder.serverPeakRssMB)} MB)`,
        '< 100 MB',
        s3.s3.serverPeakRssMB < 100,
      ],
    )
  if (commands)
    out.push(
      [
        `commands, ${commands.connections} connections`,
        `${n(commands.perSecond)} /s, p50 ${n(commands.p50ms, 1)} ms, p99 ${n(commands.p99ms, 1)} ms`,
        '≥ 10,000 /s, p99 < 50 ms',
        commands.perSecond >= 10_000 && commands.p99ms < 50,
      ],
      [
        `  vs the file system alone`,
        `${n(commands.fsPairsPerSecond)} mkdir+rmdir/s: at most ${n(3 * commands.fsPairsPerSecond)} commands/s of this mix`,
        'disk bound, for scale',
        null,
      ],
    )
  if (listing)
    out.push([
      `ls_f of ${n(listing.files)} files in ${n(listing.folders)} folders`,
      `first ${n(listing.firstEntryMs, 1)} ms, all ${n(listing.completeMs)} ms, server RSS +${n(listing.serverRssGrowthMB, 1)} MB, client heap +${n(listing.clientHeapGrowthMB, 1)} MB, RSS +${n(listing.clientRssGrowthMB, 1)} MB`,
      'first < 200 ms, all < 2,000 ms, server RSS + < 32 MB (as for 20,000)',
      listing.firstEntryMs < 200 && listing.completeMs < 2000 && listing.serverRssGrowthMB < 32,
    ])
  if (tls) {
    // "× plain" only when the plain scenario ran too.
    const vs = (value: number, plain: number | undefined): string =>
      plain === undefined ? '' : ` (${n(value / plain, 2)} × plain)`
    out.push(
      [
        `TLS upload ${n(tls.large.sizeMiB)} MiB`,
        `${n(tls.large.upload.oursMiBs)} MiB/s${vs(tls.large.upload.oursMiBs, large?.upload.oursMiBs)}`,
        'reported',
        null,
      ],
      [
        `TLS download ${n(tls.large.sizeMiB)} MiB`,
        `${n(tls.large.download.oursMiBs)} MiB/s${vs(tls.large.download.oursMiBs, large?.download.oursMiBs)}`,
        'reported',
        null,
      ],
      [
        `TLS ${n(tls.small.files)} small files up`,
        `${n(tls.small.uploadFilesPerSecond)} files/s${vs(tls.small.uploadFilesPerSecond, small?.uploadFilesPerSecond)}`,
        'reported',
        null,
      ],
    )
  }
  return out
}

const cpuText = (c: { user: number; system: number }): string => n(c.user + c.system)

/**
 * The side-by-side table of `--peers`: each pair's medians, CPU per GiB on each side (user +
 * system), and the targets as ratios of figures from the same run.
 */
export function peerTable(large: LargeResult): string[] {
  const peers = large.peers ?? []
  const rowsOf: [string, string, string, string, string][] = [
    ['pair', 'upload MiB/s', 'download MiB/s', 'CPU ms/GiB up (client, server)', 'down'],
    ...[
      [
        'raw Node pipe (no hashing, no fsync)',
        large.upload.baselineMiBs,
        large.download.baselineMiBs,
      ] as const,
      [
        'equivalent pipe (SHA-256 both ends, fsync)',
        large.upload.equivalentMiBs,
        large.download.equivalentMiBs,
      ] as const,
    ].map(
      ([label, up, down]) =>
        [label, n(up), n(down), '', ''] as [string, string, string, string, string],
    ),
    [
      'client library (ours, in process)',
      n(large.upload.oursMiBs),
      n(large.download.oursMiBs),
      `${cpuText(large.upload.clientCpuMsPerGiB.ours)}, ${cpuText(large.upload.serverCpuMsPerGiB)}`,
      `${cpuText(large.download.clientCpuMsPerGiB.ours)}, ${cpuText(large.download.serverCpuMsPerGiB)}`,
    ],
    ...peers.map((p): [string, string, string, string, string] => [
      `${p.label} (${p.note})`,
      n(p.upload.MiBs),
      n(p.download.MiBs),
      `${cpuText(p.upload.clientCpuMsPerGiB)}, ${cpuText(p.upload.serverCpuMsPerGiB)}`,
      `${cpuText(p.download.clientCpuMsPerGiB)}, ${cpuText(p.download.serverCpuMsPerGiB)}`,
    ]),
  ]
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rowsOf.map((row) => row[i]!.length)))
  const lines = rowsOf.map((row) =>
    row
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  )
  const find = (prefix: string): PeerResult | undefined =>
    peers.find((p) => p.label.startsWith(prefix))
  const plain = find('npm run client, plain')
  const tls = find('npm run client, TLS')
  const vsftpd = find('vsftpd')
  const ftpSrv = find('ftp-srv')
  const ratio = (what: string, a: number | undefined, b: number | undefined, target: number) => {
    if (a === undefined || b === undefined) return
    const value = a / b
    lines.push(
      `${what}: ${n(value, 2)} (target ≥ ${n(target, 1)}) ${value >= target ? 'met' : 'NOT MET'}`,
    )
  }
  lines.push('')
  ratio('download, plain ÷ vsftpd + curl', plain?.download.MiBs, vsftpd?.download.MiBs, 1)
  ratio('upload, plain ÷ ftp-srv + basic-ftp', plain?.upload.MiBs, ftpSrv?.upload.MiBs, 1)
  ratio('upload, plain ÷ equivalent pipe', plain?.upload.MiBs, large.upload.equivalentMiBs, 0.9)
  ratio('upload, TLS ÷ plain', tls?.upload.MiBs, plain?.upload.MiBs, 0.8)
  ratio('download, TLS ÷ plain', tls?.download.MiBs, plain?.download.MiBs, 0.8)
  // What TLS costs Node itself here, on the same work: the bound for the two ratios above.
  const pipe = find('equivalent pipe, TLS')
  for (const way of ['upload', 'download'] as const)
    if (pipe)
      lines.push(
        `${way}, equivalent pipe, TLS ÷ plain: ${n(pipe[way].MiBs / large[way].equivalentMiBs, 2)} (Node's own cost of TLS, for scale)`,
      )
  // CPU per GiB, user + system, each side: the terminal client as people run it, and our server.
  const cpuLine = (
    what: string,
    ours: Cpu | undefined,
    theirs: Cpu | undefined,
  ): string | undefined => {
    if (!ours || !theirs) return undefined
    const [a, b] = [ours.user + ours.system, theirs.user + theirs.system]
    return `CPU per GiB, ${what}: ${n(a)} ms vs ftp-srv + basic-ftp ${n(b)} ms (target ≤) ${a <= b ? 'met' : 'NOT MET'}`
  }
  for (const way of ['upload', 'download'] as const)
    lines.push(
      ...[
        cpuLine(
          `${way}, client (npm run client, plain)`,
          plain?.[way].clientCpuMsPerGiB,
          ftpSrv?.[way].clientCpuMsPerGiB,
        ),
        cpuLine(`${way}, server`, large[way].serverCpuMsPerGiB, ftpSrv?.[way].serverCpuMsPerGiB),
      ].filter((l): l is string => l !== undefined),
    )
  return lines
}

export function printTable(r: Results): void {
  const table = rows(r)
  const widths = [0, 1, 2].map((i) => Math.max(...table.map((row) => String(row[i]).length), 8))
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')
  console.log(line(['scenario', 'measured', 'target']) + '  met')
  for (const [scenario, figure, target, met] of table)
    console.log(`${line([scenario, figure, target])}  ${met === null ? '' : met ? 'yes' : 'NO'}`)
  if (r.large?.peers) {
    console.log(
      `\nSide by side: ${n(r.large.sizeMiB)} MiB over loopback to disk, medians of ${r.large.runs}`,
    )
    for (const text of peerTable(r.large)) console.log(text)
  }
}
