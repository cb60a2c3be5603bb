import { execFile, spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import {
  loadOrCreateIdentity,
  startServer,
  type BucketServer,
} from '../../../electron/server/index.js'

const run = promisify(execFile)
/** Runs a CLI from its bundle through the launcher, as `npm run server|client` does. */
const node = (name: string, args: string[]): [string, string[]] => [
  process.execPath,
  [path.resolve('scripts/cli.mjs'), name, ...args],
]

let dir: string
let server: BucketServer | undefined
/** A server CLI started by a test: stopped after it, whatever the test's outcome. */
let serverCli: ReturnType<typeof spawn> | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
  serverCli?.kill()
  serverCli = undefined
  if (dir) await fs.rm(dir, { recursive: true, force: true })
})

async function tempDir(): Promise<string> {
  dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-cli-')))
  return dir
}

/** Feeds `input` to the client CLI and collects what it printed and its exit code. */
function client(
  port: number,
  input: string,
  extra: string[] = ['--plain'],
): Promise<{ out: string; code: number | null }> {
  const [cmd, args] = node('client', [
    '127.0.0.1',
    String(port),
    '--data-dir',
    path.join(dir, 'client-data'),
    ...extra,
  ])
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: dir })
    let out = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    child.stderr.on('data', (c: Buffer) => (out += c.toString()))
    child.on('close', (code) => resolve({ out, code }))
    child.stdin.end(input)
  })
}

describe('npm run server', () => {
  it('fails with a clear message and exit code 1 when the folder does not exist', async () => {
    const base = await tempDir()
    const [cmd, args] = node('server', [path.join(base, 'no such folder')])
    const err = await run(cmd, args).catch((e: { code: number; stderr: string }) => e)
    expect(err).toMatchObject({ code: 1 })
    expect((err as { stderr: string }).stderr).toContain('no such folder')
  })

  it('shares a folder whose path has spaces and prints where it listens', async () => {
    const base = await tempDir()
    const shared = path.join(base, 'my shared folder')
    await fs.mkdir(shared)
    const [cmd, args] = node('server', [
      shared,
      '--port',
      '0',
      '--data-dir',
      path.join(base, 'server-data'),
    ])
    const child = spawn(cmd, args)
    serverCli = child
    let out = ''
    // Its start-up message ends with how to stop it; it may arrive in several pieces.
    const started = new Promise<void>((resolve) =>
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString()
        if (out.includes('Press Ctrl-C to stop.')) resolve()
      }),
    )
    await started
    const port = Number(/Listening on 127\.0\.0\.1:(\d+)/.exec(out)?.[1])
    expect(out).toContain(`Sharing "${shared}"`)
    expect(out).toMatch(/Certificate fingerprint: ([0-9A-F]{4} ){7}[0-9A-F]{4}/)
    const shown = /Certificate fingerprint: ([0-9A-F ]+)/.exec(out)![1]!.trim()
    const { out: transcript, code } = await client(port, 'create_b x\nquit\n', [])
    expect(code).toBe(0)
    expect(transcript).toContain('300 BCS')
    // Trust on first use: the fingerprint is shown once, then pinned.
    expect(transcript).toContain(
      `First connection to 127.0.0.1:${port}. Certificate fingerprint: ${shown}`,
    )
    const second = await client(port, 'ls_b\n', [])
    expect(second.code).toBe(0)
    expect(second.out).not.toContain('First connection')
    // A changed certificate is refused until the person accepts it explicitly.
    const pins = path.join(dir, 'client-data', 'known-hosts.json')
    await fs.writeFile(pins, JSON.stringify({ hosts: { [`127.0.0.1:${port}`]: 'ab'.repeat(32) } }))
    const refused = await client(port, 'ls_b\n', [])
    expect(refused.code).toBe(1)
    expect(refused.out).toContain('presented a different certificate')
    expect(refused.out).toContain(`--trust "${shown}"`)
    const trusted = await client(port, 'ls_b\n', ['--trust', shown])
    expect(trusted.code).toBe(0)
    expect(trusted.out).toContain('500 BLS')
    expect((await fs.stat(path.join(shared, 'x'))).isDirectory()).toBe(true)
    const exited = new Promise((resolve) => child.on('exit', resolve))
    child.kill('SIGINT')
    await exited
    expect(out).toContain('Stopped.')
  })
})

/** Starts the server CLI on `args` and resolves with its port once it has printed its banner. */
async function serverOn(args: string[]): Promise<{ port: number; out: () => string }> {
  const [cmd, argv] = node('server', [...args, '--port', '0', '--no-announce'])
  const child = spawn(cmd, argv)
  serverCli = child
  let out = ''
  await new Promise<void>((resolve) =>
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString()
      if (out.includes('Press Ctrl-C to stop.')) resolve()
    }),
  )
  return { port: Number(/Listening on 127\.0\.0\.1:(\d+)/.exec(out)?.[1]), out: () => out }
}

describe('npm run server --grant', () => {
  it('hands out codes with roles, and never prints a code', async () => {
    const base = await tempDir()
    const shared = path.join(base, 'shared')
    for (const b of ['homework', 'photos', 'private'])
      await fs.mkdir(path.join(shared, b), { recursive: true })
    await fs.writeFile(path.join(shared, 'homework', 'essay.txt'), 'mine')
    await fs.writeFile(path.join(shared, 'photos', 'cat.jpg'), 'meow')
    await fs.writeFile(path.join(base, 'essay.txt'), 'theirs')
    const server = await serverOn([
      shared,
      '--plain',
      '--grant',
      'hw-7q3x=drop:homework',
      '--grant',
      'fam-9p2w=read:photos',
    ])
    expect(server.out()).toContain('Grant "grant 1": drop on homework')
    expect(server.out()).toContain('Grant "grant 2": read on photos')

    const student = await client(
      server.port,
      'ls_b\nupload essay.txt homework\nls_f homework\ndownload homework essay.txt got.txt\n',
      ['--plain', '--access-code', 'hw-7q3x'],
    )
    expect(student.out).toContain('-> homework 0')
    expect(student.out).not.toContain('photos')
    expect(student.out).toContain('700 FUTBS stored as "essay (2).txt"')
    expect(student.out).toContain('850 FLF not allowed for this access code')
    expect(student.out).toContain('950 FDFBF not allowed for this access code')
    expect(student.code).toBe(1)
    expect(await fs.readFile(path.join(shared, 'homework', 'essay (2).txt'), 'utf8')).toBe('theirs')

    const family = await client(server.port, 'ls_b\ndelete_f photos cat.jpg\n', [
      '--plain',
      '--access-code',
      'fam-9p2w',
    ])
    expect(family.out).toContain('-> photos 1')
    expect(family.out).toContain('1050 FDF not allowed for this access code')
    expect(await fs.readFile(path.join(shared, 'photos', 'cat.jpg'), 'utf8')).toBe('meow')

    // The host log names the grant's label on every outcome.
    await expect
      .poll(() => server.out())
      .toMatch(
        /\[grant 1\] (upload|put_f) homework essay\.txt 6 -> 700 FUTBS stored as "essay \(2\)\.txt"/,
      )
    for (const text of [server.out(), student.out, family.out]) {
      expect(text).not.toContain('hw-7q3x')
      expect(text).not.toContain('fam-9p2w')
    }
  })
})

describe('npm run server --max-per-address', () => {
  it('limits connections from one address, this computer included, with 1450 CAF', async () => {
    const base = await tempDir()
    const [cmd, args] = node('server', [base, '--port', '0', '--plain', '--max-per-address', '2'])
    const child = spawn(cmd, args)
    serverCli = child
    let out = ''
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString()
        if (out.includes('Press Ctrl-C to stop.')) resolve()
      }),
    )
    const port = Number(/Listening on 127\.0\.0\.1:(\d+)/.exec(out)?.[1])
    const held: net.Socket[] = []
    const first = (): Promise<string> =>
      new Promise((resolve) => {
        const socket = net.connect(port, '127.0.0.1')
        socket.once('data', (chunk: Buffer) => resolve(chunk.toString()))
        socket.once('connect', () => socket.write('init\n'))
        held.push(socket)
      })
    try {
      expect(await first()).toContain('100 OK')
      expect(await first()).toContain('100 OK')
      expect(await first()).toBe(
        '1450 CAF too many connections from your address; try again later\n',
      )
    } finally {
      held.forEach((s) => s.destroy())
    }
  })

  it('takes only a whole number of at least 1', async () => {
    const base = await tempDir()
    const [cmd, args] = node('server', [base, '--plain', '--max-per-address', '0'])
    const err = await run(cmd, args).catch((e: { code: number; stderr: string }) => e)
    expect(err).toMatchObject({ code: 1 })
    expect((err as { stderr: string }).stderr).toContain('a whole number, at least 1')
  })
})

describe('npm run client (scripted)', () => {
  it('runs commands from standard input, with local paths for transfers, and exits 0', async () => {
    const base = await tempDir()
    server = await startServer({ root: await fs.mkdtemp(path.join(base, 'root-')), port: 0 })
    await fs.writeFile(path.join(base, 'note.txt'), 'hello')
    const { out, code } = await client(
      server.port,
      'create_b "my bucket"\nupload note.txt "a note.txt" "my bucket"\nls_f "my bucket"\n' +
        'download "my bucket" "a note.txt" copy.txt\nquit\n',
    )
    expect(code).toBe(0)
    expect(out).toContain('300 BCS  (Bucket Created Successfully)')
    expect(out).toContain('700 FUTBS  (File Uploaded To Bucket Successfully)')
    expect(out).toMatch(/-> "a note.txt" 5 \d{4}-\d\d-\d\dT/)
    expect(out).toContain('200 BYE')
    expect(await fs.readFile(path.join(base, 'copy.txt'), 'utf8')).toBe('hello')
  })

  it('exits 1 when a command failed, after running the rest', async () => {
    await tempDir()
    server = await startServer({ root: dir, port: 0 })
    const { out, code } = await client(server.port, 'delete_b ghost\nfrobnicate\nls_b\n')
    expect(code).toBe(1)
    expect(out).toContain('650 BDF no such bucket  (Bucket Deletion Fails)')
    expect(out).toContain('400 BCMD unknown command "frobnicate"; type help')
    expect(out).toContain('500 BLS')
  })

  it('exits 1 with the reason when nothing listens', async () => {
    await tempDir()
    const { out, code } = await client(1, 'ls_b\n')
    expect(code).toBe(1)
    expect(out).toContain('refused the connection')
  })
})

describe('npm run client (what it says)', () => {
  it('names an upload after the local file when no name is given', async () => {
    const base = await tempDir()
    const root = await fs.mkdtemp(path.join(base, 'root-'))
    server = await startServer({ root, port: 0 })
    await fs.writeFile(path.join(base, 'note.txt'), 'hello')
    const { out, code } = await client(server.port, 'create_b b\nupload note.txt b\nquit\n')
    expect(code).toBe(0)
    expect(out).toContain('700 FUTBS')
    expect(await fs.readFile(path.join(root, 'b', 'note.txt'), 'utf8')).toBe('hello')
  })

  it('says once that a TLS server wants no --plain, whatever the number of lines, and exits 1', async () => {
    const base = await tempDir()
    const tls = await loadOrCreateIdentity(path.join(base, 'tls'))
    server = await startServer({ root: await fs.mkdtemp(path.join(base, 'root-')), port: 0, tls })
    const hint = `127.0.0.1:${server.port} is an encrypted (TLS) server: connect without --plain`
    for (const input of ['ls_b\nls_b\nls_b\n', '']) {
      const { out, code } = await client(server.port, input)
      expect(code).toBe(1)
      expect(out.trim()).toBe(`error: ${hint}`)
    }
  })

  it('says that a plain server needs --plain', async () => {
    await tempDir()
    server = await startServer({ root: dir, port: 0 })
    const { out, code } = await client(server.port, 'ls_b\n', [])
    expect(code).toBe(1)
    expect(out.trim()).toBe(
      `error: 127.0.0.1:${server.port} is a plain (unencrypted) server: connect with --plain, on a network you trust`,
    )
  })

  it('says what it waits for while a host does not answer, and stops on Ctrl-C', async () => {
    await tempDir()
    // Takes the connection and never answers the TLS handshake.
    const held: net.Socket[] = []
    const silent = net.createServer((socket) => held.push(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const port = (silent.address() as net.AddressInfo).port
    try {
      const [cmd, args] = node('client', ['127.0.0.1', String(port), '--data-dir', dir])
      const child = spawn(cmd, args)
      let out = ''
      const waiting = new Promise<void>((resolve) =>
        child.stderr.on('data', (c: Buffer) => {
          out += c.toString()
          if (out.includes('Ctrl-C')) resolve()
        }),
      )
      await waiting
      expect(out).toContain(
        `Waiting for 127.0.0.1:${port} to answer (up to 10 s; Ctrl-C to give up)…`,
      )
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
      child.kill('SIGINT')
      expect(await exited).toBe(130)
      expect(out).toContain('Cancelled.')
    } finally {
      held.forEach((s) => s.destroy())
      silent.close()
    }
  })
})

describe('npm run client (between commands)', () => {
  it('connects again, with its access code, after the server closed it for being idle', async () => {
    await tempDir()
    server = await startServer({ root: dir, port: 0, idleTimeoutMs: 200, accessCode: 'idle-7q2k' })
    const log: string[] = []
    server.on('log', ({ text }: { text: string }) => log.push(text))
    const [cmd, args] = node('client', [
      '127.0.0.1',
      String(server.port),
      '--plain',
      '--access-code',
      'idle-7q2k',
      '--data-dir',
      path.join(dir, 'client-data'),
    ])
    const child = spawn(cmd, args)
    let out = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    child.stderr.on('data', (c: Buffer) => (out += c.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))

    child.stdin.write('create_b early\n')
    await expect.poll(() => out, { timeout: 10_000 }).toContain('300 BCS')
    await expect
      .poll(() => log.some((line) => line.endsWith('disconnected (idle timeout)')), {
        timeout: 10_000,
      })
      .toBe(true)
    child.stdin.end('create_b later\nls_b\n')

    expect(await exited).toBe(0)
    expect(out).toContain(
      `127.0.0.1:${server.port} closed the connection between commands; connecting again…`,
    )
    expect(out).toMatch(/-> early 0\n-> later 0\n500 BLS/)
    expect(out).not.toContain('error:')
  })
})
