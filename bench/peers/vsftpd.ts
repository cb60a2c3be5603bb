import { spawn } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import fs from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { childrenReaped, cpuGroup, processCpu, runMeasured } from '../cpu.js'
import { freePort } from '../free-port.js'
import type { Peer } from './peer.js'

const CANDIDATES = ['/usr/sbin/vsftpd', '/usr/local/sbin/vsftpd']

/** Where vsftpd is installed (Debian's package puts it in /usr/sbin), or why it cannot run. */
export function findVsftpd(): { path: string } | { missing: string } {
  const found = CANDIDATES.find((p) => {
    try {
      accessSync(p, constants.X_OK)
      return true
    } catch {
      return false
    }
  })
  if (!found) return { missing: 'vsftpd is not installed (apt-get install vsftpd)' }
  // It drops to the `ftp` user for anonymous sessions, which only root may do.
  if (process.getuid?.() !== 0) return { missing: 'vsftpd needs the bench to run as root' }
  return { path: found }
}

async function accepting(port: number, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1')
      socket.once('connect', () => (socket.destroy(), resolve(true)))
      socket.once('error', () => resolve(false))
    })
    if (ok) return
    if (Date.now() > deadline) throw new Error(`vsftpd did not listen on ${port}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/**
 * vsftpd (C) with curl as its client, both timed end to end as a person runs them: a private
 * instance on a free loopback port with its own configuration, anonymous, uploads into `up/`.
 */
export async function vsftpdPeer(
  binary: string,
  /** The bench's own temporary folder: permissions are opened up to it, never above. */
  base: string,
  folder: string,
  source: string,
  local: string,
): Promise<Peer> {
  const served = path.join(folder, 'served')
  const up = path.join(served, 'up')
  const empty = path.join(folder, 'empty')
  await fs.mkdir(up, { recursive: true })
  await fs.mkdir(empty, { recursive: true })
  // Anonymous sessions run as `ftp`: it must reach the folder and write into `up/` only.
  for (let dir = served; dir.startsWith(base); dir = path.dirname(dir)) {
    const mode = (await fs.stat(dir)).mode
    if ((mode & 0o005) !== 0o005) await fs.chmod(dir, mode | 0o005)
  }
  await runMeasured(`chown ftp "${up}"`)
  await fs.copyFile(source, path.join(served, 'large.bin'))
  await fs.chmod(path.join(served, 'large.bin'), 0o644)
  const port = await freePort()
  const config = path.join(folder, 'vsftpd.conf')
  await fs.writeFile(
    config,
    [
      'listen=YES',
      'listen_address=127.0.0.1',
      `listen_port=${port}`,
      'background=NO',
      'anonymous_enable=YES',
      'no_anon_password=YES',
      `anon_root=${served}`,
      'write_enable=YES',
      'anon_upload_enable=YES',
      'anon_umask=022',
      'local_enable=NO',
      'allow_writeable_chroot=YES',
      'seccomp_sandbox=NO',
      'xferlog_enable=NO',
      'dirmessage_enable=NO',
      `secure_chroot_dir=${empty}`,
      '',
    ].join('\n'),
  )
  const child = spawn(binary, [config], { stdio: 'ignore' })
  // Before it forks any session: their CPU counts only through the group (it never waits for them).
  const group = await cpuGroup(child.pid!)
  await accepting(port)
  const url = `ftp://127.0.0.1:${port}`
  return {
    label: 'vsftpd + curl',
    note: 'C; no hashing, no fsync',
    upload: (file, name) => ({
      written: path.join(up, name),
      run: async () => (await runMeasured(`curl -sS -T "${file}" "${url}/up/${name}"`)).cpu,
    }),
    download: (name) => {
      const written = path.join(local, name)
      return {
        written,
        run: async () => (await runMeasured(`curl -sS -o "${written}" "${url}/large.bin"`)).cpu,
      }
    },
    serverCpu: async () => {
      await childrenReaped(child.pid!)
      return group ? group.cpu() : processCpu(child.pid!)
    },
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill()
      await exited
      await group?.remove()
      await fs.rm(folder, { recursive: true, force: true })
    },
  }
}
