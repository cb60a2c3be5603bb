import fs from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { eventually, startTestServer, upload, type RawClient, type TestServer } from './helpers.js'

let t: TestServer
afterEach(() => t?.stop())

async function version(c: RawClient): Promise<string> {
  const answer = await c.command('changes')
  expect(answer.status).toBe('1600 CHS')
  expect(answer.data).toHaveLength(1)
  return answer.data[0]!
}

describe('changes', () => {
  it('answers one version line and 1600 CHS, the same while nothing changes', async () => {
    t = await startTestServer()
    const c = await t.connect()
    const first = await version(c)
    expect(first).toMatch(/^\d+\.[0-9a-f]{16}$/)
    expect(await version(c)).toBe(first)
  })

  it('changes once another client creates, fills, replaces, empties or deletes a bucket', async () => {
    t = await startTestServer()
    const watcher = await t.connect()
    const other = await t.connect()
    const seen = [await version(watcher)]
    const step = async (work: () => Promise<unknown>): Promise<void> => {
      await work()
      const now = await version(watcher)
      expect(seen).not.toContain(now)
      seen.push(now)
    }
    await step(() => other.command('create_b photos'))
    await step(() => upload(other, 'photos', 'a.jpg', 'one'))
    await step(() => upload(other, 'photos', 'a.jpg', 'two'))
    await step(() => other.command('delete_f photos a.jpg'))
    await step(() => other.command('delete_b photos'))
  })

  it('sees changes made on disk behind the server', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b inbox')
    const before = await version(c)
    await fs.writeFile(path.join(t.root, 'inbox', 'dropped.txt'), 'x')
    await eventually(async () => (await version(c)) !== before)
    const after = await version(c)
    await fs.mkdir(path.join(t.root, 'new bucket'))
    await eventually(async () => (await version(c)) !== after)
  })

  it('needs the access code like every listing', async () => {
    t = await startTestServer({ accessCode: 'open-sesame' })
    const c = await t.connect()
    expect((await c.command('changes')).status).toBe(
      '1150 AGF access code required: auth <access code>',
    )
    await c.command('auth open-sesame')
    await version(c)
  })

  it('fails with 1650 CHF when the shared folder is gone', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await fs.rm(t.root, { recursive: true })
    expect(await c.command('changes')).toEqual({ data: [], status: '1650 CHF no such folder' })
  })

  it('leaves its successful answers out of the server log, since clients poll it', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await version(c)
    await c.command('ls_b')
    expect(t.logs.filter((l) => l.includes('changes'))).toEqual([])
    expect(t.logs.filter((l) => l.includes('ls_b -> 500 BLS'))).toHaveLength(1)
    // A failure is news: once the folder is gone (and the shared reading expired), it is logged.
    await fs.rm(t.root, { recursive: true })
    await eventually(async () => (await c.command('changes')).status.startsWith('1650'))
    expect(t.logs.filter((l) => l.includes('changes -> 1650 CHF'))).toHaveLength(1)
  })

  it('takes no arguments', async () => {
    t = await startTestServer()
    const c = await t.connect()
    expect((await c.command('changes now')).status).toBe('400 BCMD usage: changes')
  })
})
