import { spawn } from 'node:child_process'
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises'

/** CPU time in milliseconds, split as the kernel reports it. */
export interface Cpu {
  user: number
  system: number
}

export const ZERO_CPU: Cpu = { user: 0, system: 0 }

export const cpuSince = (before: Cpu, after: Cpu): Cpu => ({
  user: after.user - before.user,
  system: after.system - before.system,
})

/** Runs `transfer` and returns the CPU this process used meanwhile (a client run in process). */
export async function cpuOfThisProcess(transfer: () => Promise<unknown>): Promise<Cpu> {
  const before = process.cpuUsage()
  await transfer()
  const used = process.cpuUsage(before)
  return { user: used.user / 1000, system: used.system / 1000 }
}

// Linux reports CPU in clock ticks of 1/100 s on every architecture Node runs on.
const TICK_MS = 10

/**
 * Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses):
 * utime, stime, cutime and cstime are the 14th to 17th fields of the whole line.
 */
function parseStat(text: string): { self: Cpu; children: Cpu } {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  const tick = (i: number): number => Number(fields[i - 3]) * TICK_MS
  return {
    self: { user: tick(14), system: tick(15) },
    children: { user: tick(16), system: tick(17) },
  }
}

/**
 * A server process's CPU so far, with that of the children it has reaped (vsftpd forks a process
 * per session). Zero where /proc is missing: the bench then reports no server CPU.
 */
export async function processCpu(pid: number): Promise<Cpu> {
  try {
    const { self, children } = parseStat(await readFile(`/proc/${pid}/stat`, 'utf8'))
    return { user: self.user + children.user, system: self.system + children.system }
  } catch {
    return ZERO_CPU
  }
}

/** Waits (up to `ms`) until `pid` has no child processes left, so their CPU has been counted. */
export async function childrenReaped(pid: number, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')
    if (children.trim() === '') return
    await new Promise((r) => setTimeout(r, 10))
  }
}

export interface ChildRun {
  cpu: Cpu
  stdout: string
  stderr: string
}

/**
 * Runs a command to completion, as a person would from a shell, and measures its CPU: a shell
 * runs it, then reads its own children's CPU (cutime, cstime) with a builtin, so the figure is
 * the command's alone, start-up included. Rejects when the command exits non-zero.
 */
export function runMeasured(
  command: string,
  options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<ChildRun> {
  const script = `${command}\nrc=$?\nread -r stat < /proc/$$/stat\necho "$stat" >&3\nexit $rc`
  const child = spawn('sh', ['-c', script], {
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    env: options.env ?? process.env,
    cwd: options.cwd,
  })
  const text = (i: 1 | 2 | 3): Promise<string> =>
    new Promise((resolve) => {
      let out = ''
      const stream = child.stdio[i] as NodeJS.ReadableStream
      stream.setEncoding('utf8')
      stream.on('data', (chunk: string) => (out += chunk))
      stream.on('end', () => resolve(out))
    })
  const [stdout, stderr, stat] = [text(1), text(2), text(3)]
  // A command that exits without reading its input is no failure of ours.
  child.stdin.on('error', () => undefined)
  child.stdin.end(options.input ?? '')
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', async (code) => {
      const result = { cpu: ZERO_CPU, stdout: await stdout, stderr: await stderr }
      const line = (await stat).trim()
      if (line) result.cpu = parseStat(line).children
      if (code === 0) resolve(result)
      else
        reject(
          new Error(
            `\`${command}\` exited with ${code}: ${(result.stderr || result.stdout).trim()}`,
          ),
        )
    })
  })
}

/** A control group counting the CPU of a process and every process it ever forks. */
export interface CpuGroup {
  cpu(): Promise<Cpu>
  remove(): Promise<void>
}

// cgroup v2, alone or beside v1 controllers: its cpu.stat needs no controller enabled.
const CGROUP_ROOTS = ['/sys/fs/cgroup/unified', '/sys/fs/cgroup']

/**
 * Moves `pid` into a new cgroup, so that the CPU of the processes it forks counts even when it
 * never waits for them (vsftpd's session processes); undefined where that is not allowed.
 */
export async function cpuGroup(pid: number): Promise<CpuGroup | undefined> {
  for (const root of CGROUP_ROOTS) {
    const group = `${root}/bucketshare-bench-${pid}`
    try {
      await mkdir(group)
    } catch {
      continue
    }
    try {
      await writeFile(`${group}/cgroup.procs`, String(pid))
    } catch {
      await rmdir(group).catch(() => undefined)
      continue
    }
    return {
      cpu: async () => {
        const stat = await readFile(`${group}/cpu.stat`, 'utf8')
        const usec = (key: string) => Number(new RegExp(`^${key} (\\d+)`, 'm').exec(stat)?.[1] ?? 0)
        return { user: usec('user_usec') / 1000, system: usec('system_usec') / 1000 }
      },
      // Only once its processes are gone: a group with members cannot be removed.
      remove: () => rmdir(group).catch(() => undefined),
    }
  }
  return undefined
}
