import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { promisify } from 'node:util'

const exec = promisify(execFile)

/**
 * Two network namespaces joined by a veth pair, made by the test and removed after it: mDNS
 * travels between them and nowhere else (each has only its loopback and its end of the pair).
 */
export interface Namespaces {
  /** Namespace names: `a` hosts, `b` browses. */
  a: string
  b: string
  /** The network the pair is on, /24: addresses exist only inside these namespaces. */
  prefix: string
  /** Runs `ip` inside a namespace. */
  ip(ns: string, ...args: string[]): Promise<void>
  /** Starts Node inside a namespace with these arguments. */
  spawnNode(ns: string, args: string[]): Process
  remove(): Promise<void>
}

/** A child process whose output is read line by line. */
export interface Process {
  child: ChildProcessWithoutNullStreams
  lines: string[]
  /** Resolves with the first line (seen so far or to come) that matches, or fails after `ms`. */
  line(match: (line: string) => boolean, ms: number): Promise<string>
  /** Resolves with the exit code. */
  exited: Promise<number | null>
}

const ip = (...args: string[]): Promise<unknown> => exec('ip', args)

/** The environment for processes in the namespaces: mDNS on (the test config turns it off). */
export function namespaceEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  delete env['BUCKETSHARE_DISCOVERY']
  return env
}

/** Why namespaces cannot be made here, or undefined when they can. */
export async function whyNoNamespaces(): Promise<string | undefined> {
  if (process.platform !== 'linux')
    return `network namespaces are Linux only (this is ${process.platform})`
  if (process.getuid?.() !== 0) return 'making network namespaces needs root'
  try {
    await exec('ip', ['-V'])
  } catch {
    return 'the ip command (iproute2) is missing: apt-get install iproute2'
  }
  return undefined
}

export async function makeNamespaces(): Promise<Namespaces> {
  const why = await whyNoNamespaces()
  if (why) throw new Error(`cannot run the discovery tests: ${why}`)
  const id = `bs${process.pid % 100_000}`
  const [a, b] = [`${id}a`, `${id}b`]
  const prefix = `10.213.${process.pid % 250}`
  const remove = async (): Promise<void> => {
    for (const name of [a, b]) {
      // Whatever the test started in it and is still there (a helper's helper) ends with it.
      const pids = await exec('ip', ['netns', 'pids', name]).then(
        (r) => r.stdout.split('\n').filter((p) => /^\d+$/.test(p)),
        () => [],
      )
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL')
        } catch {
          // Already gone.
        }
      }
      // Removing a namespace removes the veth end inside it, and with it the pair. One at a
      // time: `ip netns` changes a shared mount table. A name that is not there is no error.
      await ip('netns', 'del', name).catch(() => undefined)
    }
  }
  await remove()
  try {
    await ip('netns', 'add', a)
    await ip('netns', 'add', b)
    await ip('link', 'add', `${id}va`, 'type', 'veth', 'peer', 'name', `${id}vb`)
    await ip('link', 'set', `${id}va`, 'netns', a)
    await ip('link', 'set', `${id}vb`, 'netns', b)
    for (const [ns, end, host] of [
      [a, `${id}va`, 1],
      [b, `${id}vb`, 2],
    ] as const) {
      await ip('-n', ns, 'addr', 'add', `${prefix}.${host}/24`, 'dev', end)
      await ip('-n', ns, 'link', 'set', end, 'up')
      await ip('-n', ns, 'link', 'set', 'lo', 'up')
    }
  } catch (err) {
    await remove()
    throw new Error(`cannot make network namespaces here: ${(err as Error).message}`)
  }
  return {
    a,
    b,
    prefix,
    ip: async (ns, ...args) => void (await ip('-n', ns, ...args)),
    spawnNode: (ns, args) =>
      watch(spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], { env: namespaceEnv() })),
    remove,
  }
}

function watch(child: ChildProcessWithoutNullStreams): Process {
  const lines: string[] = []
  const waiters = new Set<() => void>()
  let rest = ''
  const take = (chunk: Buffer): void => {
    const parts = (rest + chunk.toString()).split('\n')
    rest = parts.pop() ?? ''
    lines.push(...parts)
    waiters.forEach((w) => w())
  }
  child.stdout.on('data', take)
  child.stderr.on('data', take)
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  return {
    child,
    lines,
    exited,
    line: (match, ms) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = lines.find(match)
          if (hit === undefined) return
          cleanup()
          resolve(hit)
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(new Error(`no such line within ${ms} ms; got:\n${lines.join('\n')}`))
        }, ms)
        const cleanup = (): void => {
          clearTimeout(timer)
          waiters.delete(check)
        }
        waiters.add(check)
        check()
      }),
  }
}
