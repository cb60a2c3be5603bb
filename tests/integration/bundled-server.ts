import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { serverNodeOptions } from '../../bench/node-options.js'

/** The headless server as `npm run server` runs it (the launcher and its bundle), in a process of its own. */
export interface BundledServer {
  child: ChildProcess
  port: number
  /** What it printed first (up to 64 KiB), for messages. */
  output: () => string
  /** Lines it printed so far that match `pattern`. */
  count: (pattern: RegExp) => number
  /** Stops it (Ctrl-C) and waits for it to exit. */
  stop: () => Promise<void>
}

/**
 * Starts `node <options> scripts/cli.mjs server <args>` as `npm run server` does and waits until
 * it listens. The launcher rebuilds a
 * stale bundle in a process of its own, so the server's memory is the same either way. Lines of
 * its output matching one of `counted` are counted (the output itself is not all kept).
 */
export async function startBundledServer(
  args: string[],
  counted: RegExp[] = [],
): Promise<BundledServer> {
  const child = spawn(
    process.execPath,
    [
      ...serverNodeOptions(),
      path.resolve('scripts/cli.mjs'),
      'server',
      ...args,
      '--port',
      '0',
      '--no-announce',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  let rest = ''
  const counts = new Map(counted.map((pattern) => [pattern, 0]))
  const take = (chunk: Buffer): void => {
    if (out.length < 64 * 1024) out += chunk.toString()
    const lines = (rest + chunk.toString()).split('\n')
    rest = lines.pop()!
    for (const line of lines)
      for (const [pattern, n] of counts) if (pattern.test(line)) counts.set(pattern, n + 1)
  }
  child.stdout!.on('data', take)
  child.stderr!.on('data', take)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const port = await new Promise<number>((resolve, reject) => {
    const listening = (): void => {
      const m = /Listening on [^\s]+:(\d+)/.exec(out)
      if (m && out.includes('Press Ctrl-C')) resolve(Number(m[1]))
    }
    child.stdout!.on('data', listening)
    void exited.then(() => reject(new Error(`the server exited: ${out}`)))
  })
  return {
    child,
    port,
    output: () => out,
    count: (pattern) => counts.get(pattern) ?? 0,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT')
      await exited
    },
  }
}

/** Resident memory of a process now and at its highest so far (VmRSS, VmHWM), in bytes; Linux only. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (field: string): number =>
    Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1])
  return { rss: kib('VmRSS') * 1024, peak: kib('VmHWM') * 1024 }
}

/** Open descriptors of a process; Linux only. */
export function descriptorsOf(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length
}
