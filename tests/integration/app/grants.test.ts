import fs from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { BucketClient } from '../../../electron/client/index.js'
import type { HostStatus } from '../../../shared/ipc.js'
import { appFixture, freePort, type AppFixture } from './helpers.js'

let f: AppFixture | undefined
afterEach(async () => {
  await f?.stop()
  f = undefined
})

async function host(fx: AppFixture): Promise<HostStatus> {
  return fx.ok<HostStatus>('host:start', {
    root: fx.shared,
    port: await freePort(),
    exposure: 'loopback',
    encrypted: false,
  })
}

describe('grants in the Host panel', () => {
  it('hands out codes with roles, kept hashed, applied while hosting', async () => {
    f = await appFixture()
    await fs.mkdir(path.join(f.shared, 'homework'))
    await fs.mkdir(path.join(f.shared, 'private'))
    const started = await host(f)
    const port = started.port!
    let status = await f.ok<HostStatus>('host:grants', {
      grants: [{ label: 'class 3b', role: 'drop', buckets: ['homework'] }],
    })
    const [grant] = status.grants
    expect(grant).toMatchObject({ label: 'class 3b', role: 'drop', buckets: ['homework'] })
    expect(grant!.code).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/)
    const student = await BucketClient.connect({
      host: '127.0.0.1',
      port,
      accessCode: grant!.code!,
    })
    expect((await student.listBuckets()).map((b) => b.name)).toEqual(['homework'])
    await expect(student.listFiles('homework')).rejects.toMatchObject({ code: 850 })

    // The same grant made read on every bucket: effective at the student's next command.
    status = await f.ok<HostStatus>('host:grants', {
      grants: [{ id: grant!.id, label: 'class 3b', role: 'read', buckets: 'all' }],
    })
    expect(status.grants[0]!.code).toBe(grant!.code)
    expect((await student.listBuckets()).map((b) => b.name).sort()).toEqual(['homework', 'private'])

    // A new code: the old one no longer opens anything.
    status = await f.ok<HostStatus>('host:regenerate', { id: grant!.id })
    expect(status.grants[0]!.code).not.toBe(grant!.code)
    await expect(student.listBuckets()).rejects.toMatchObject({ code: 1150 })
    student.close()

    const settings = await fs.readFile(path.join(f.base, 'settings', 'config.json'), 'utf8')
    expect(settings).toContain('class 3b')
    expect(settings).not.toContain(grant!.code!)
    expect(settings).not.toContain(status.grants[0]!.code!)
    expect(JSON.stringify(f.events['host:log'])).not.toContain(status.grants[0]!.code!)
  })

  it('keeps grants across a restart of the host, their codes still valid', async () => {
    f = await appFixture()
    await host(f)
    const status = await f.ok<HostStatus>('host:grants', {
      grants: [{ label: 'family', role: 'read', buckets: 'all', code: 'family-code-1' }],
    })
    expect(status.grants[0]!.code).toBe('family-code-1')
    await f.ok('host:stop')
    const again = await host(f)
    expect(again.grants).toMatchObject([{ label: 'family', role: 'read' }])
    const c = await BucketClient.connect({
      host: '127.0.0.1',
      port: again.port!,
      accessCode: 'family-code-1',
    })
    expect(await c.listBuckets()).toEqual([])
    c.close()
  })
})

describe('the trash in the Host panel', () => {
  it('shows who deleted what, restores it and empties the rest', async () => {
    f = await appFixture()
    await fs.mkdir(path.join(f.shared, 'b'))
    await fs.writeFile(path.join(f.shared, 'b', 'one.txt'), 'one')
    await fs.writeFile(path.join(f.shared, 'b', 'two.txt'), 'two')
    const started = await host(f)
    const c = await BucketClient.connect({ host: '127.0.0.1', port: started.port! })
    await c.deleteFile('b', 'one.txt')
    await c.deleteFile('b', 'two.txt')
    // The Host panel is told without asking (the client stays connected: its coming and going
    // publish the status too): the trash's changes publish the host's status.
    const shown = (): string[][] | undefined =>
      f!.events['host:status'].at(-1)?.trash.map((e) => [e.file, e.by, e.from])
    await vi.waitFor(() => expect(shown()).toHaveLength(2))
    expect(shown()).toEqual([
      ['two.txt', 'anyone', '127.0.0.1'],
      ['one.txt', 'anyone', '127.0.0.1'],
    ])
    c.close()
    let status = f.events['host:status'].at(-1)!
    status = await f.ok<HostStatus>('host:restore', { id: status.trash[1]!.id })
    expect(await fs.readFile(path.join(f.shared, 'b', 'one.txt'), 'utf8')).toBe('one')
    expect(status.trash.map((e) => e.file)).toEqual(['two.txt'])
    status = await f.ok<HostStatus>('host:emptyTrash', {})
    expect(status.trash).toEqual([])
    expect(await fs.readdir(path.join(f.shared, '.bucketshare', 'trash'))).toEqual([])
  })
})
