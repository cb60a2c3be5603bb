import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { shortFingerprint } from '../../../shared/fingerprint.js'
import { parseInvite } from '../../../shared/invite.js'
import type { Found } from '../../../electron/discovery/index.js'
import { PROTOCOL_VERSION } from '../../../electron/server/commands/init.js'
import { makeNamespaces, type Namespaces, type Process } from './netns.js'

/**
 * Discovery between two network namespaces joined by a veth pair (made here; needs root and
 * iproute2, as CI has). Where they cannot be made, the suite fails saying why: it never passes
 * without having run.
 */
let ns: Namespaces
let dir: string
const running = new Set<Process>()

beforeAll(async () => {
  ns = await makeNamespaces()
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-discovery-'))
  await fs.mkdir(path.join(dir, 'shared'))
})

afterEach(async () => {
  for (const p of running) {
    p.child.kill('SIGTERM')
    // Bounded: whatever is left is ended with the namespaces after the suite.
    await Promise.race([p.exited, new Promise((r) => setTimeout(r, 5_000))])
  }
  running.clear()
})

afterAll(async () => {
  await ns?.remove()
  if (dir) await fs.rm(dir, { recursive: true, force: true })
})

/** `npm run <name> -- …` (the launcher and its bundle, as a person runs it) inside a namespace. */
function start(where: string, name: 'server' | 'client', args: string[]): Process {
  const p = ns.spawnNode(where, [path.resolve('scripts/cli.mjs'), name, ...args])
  running.add(p)
  return p
}

/** The headless server, in namespace a, listening on every address of it. */
async function host(
  ...extra: string[]
): Promise<{ p: Process; fingerprint: string; port: number }> {
  const p = start(ns.a, 'server', [
    path.join(dir, 'shared'),
    '--host',
    '0.0.0.0',
    '--port',
    '0',
    '--data-dir',
    path.join(dir, 'server-data'),
    '--name',
    'Lab host',
    ...extra,
  ])
  const invite = parseInvite((await p.line((l) => l.startsWith('Invite: '), 20_000)).slice(8))
  if (!invite.ok) throw new Error(invite.error)
  await p.line((l) => l.startsWith('Press Ctrl-C'), 5_000)
  return { p, fingerprint: invite.invite.fingerprint, port: invite.invite.port }
}

async function browser(): Promise<{ p: Process; lists: () => { time: number; hosts: Found[] }[] }> {
  const p = ns.spawnNode(ns.b, [
    '--import',
    import.meta.resolve('tsx'),
    path.resolve('tests/integration/discovery/browse.ts'),
  ])
  running.add(p)
  await p.line((l) => l === 'ready', 20_000)
  const lists = (): { time: number; hosts: Found[] }[] =>
    p.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as never)
  return { p, lists }
}

const hostsIn = (line: string): Found[] => (JSON.parse(line) as { hosts: Found[] }).hosts

describe('discovery between two network namespaces', () => {
  it('lists a host within 2 s with its fingerprint, and drops it when it stops', async () => {
    const b = await browser()
    const server = await host()
    const announced = Date.now()
    const line = await b.p.line((l) => l.includes(server.fingerprint), 5_000)
    const [found] = hostsIn(line)
    expect(found).toMatchObject({
      displayName: 'Lab host',
      address: `${ns.prefix}.1`,
      port: server.port,
      fingerprint: server.fingerprint,
      codeRequired: true,
      protocolVersion: PROTOCOL_VERSION,
    })
    expect((JSON.parse(line) as { time: number }).time - announced).toBeLessThan(2_000)

    // Its goodbye drops it at once; without one it would take three unanswered queries (15 s).
    server.p.child.kill('SIGTERM')
    await server.p.exited
    await b.p.line((l) => l.startsWith('{') && hostsIn(l).length === 0, 10_000)
    expect(b.lists().at(-1)!.hosts).toEqual([])
  })

  it('follows a host to its new address by its identity', async () => {
    const b = await browser()
    const server = await host()
    await b.p.line((l) => l.includes(`"${ns.prefix}.1"`), 5_000)
    await ns.ip(ns.a, 'addr', 'del', `${ns.prefix}.1/24`, 'dev', `${ns.a.slice(0, -1)}va`)
    await ns.ip(ns.a, 'addr', 'add', `${ns.prefix}.3/24`, 'dev', `${ns.a.slice(0, -1)}va`)
    try {
      const line = await b.p.line((l) => l.includes(`"${ns.prefix}.3"`), 10_000)
      expect(hostsIn(line)).toEqual([
        expect.objectContaining({ address: `${ns.prefix}.3`, fingerprint: server.fingerprint }),
      ])
    } finally {
      await ns.ip(ns.a, 'addr', 'flush', 'dev', `${ns.a.slice(0, -1)}va`)
      await ns.ip(ns.a, 'addr', 'add', `${ns.prefix}.1/24`, 'dev', `${ns.a.slice(0, -1)}va`)
    }
  })

  it('npm run client -- --discover prints name, address:port and short fingerprint, exit 0', async () => {
    const server = await host()
    const discover = start(ns.b, 'client', ['--discover', '--seconds', '2'])
    expect(await discover.exited).toBe(0)
    expect(discover.lines.filter((l) => l !== '')).toEqual([
      `Lab host  ${ns.prefix}.1:${server.port}  ${shortFingerprint(server.fingerprint)}`,
    ])
  })

  it.each([
    ['listening on loopback only', ['--host', '127.0.0.1']],
    ['told --no-announce', ['--no-announce']],
  ])('a host %s is not announced: --discover says what was tried, exit 1', async (_, extra) => {
    const p = start(ns.a, 'server', [
      path.join(dir, 'shared'),
      '--port',
      '0',
      '--data-dir',
      path.join(dir, 'server-data'),
      ...(extra[0] === '--host' ? extra : ['--host', '0.0.0.0', ...extra]),
    ])
    await p.line((l) => l.startsWith('Press Ctrl-C'), 20_000)
    expect(p.lines.join('\n')).not.toContain('Announced nearby')
    const discover = start(ns.b, 'client', ['--discover', '--seconds', '2'])
    expect(await discover.exited).toBe(1)
    const said = discover.lines.join('\n')
    expect(said).toContain(
      `No BucketShare host found in 2 s. Searched on: ${ns.b.slice(0, -1)}vb (${ns.prefix}.2)`,
    )
    expect(said).toMatch(/firewall.*client isolation.*VPN/s)
  })
})
