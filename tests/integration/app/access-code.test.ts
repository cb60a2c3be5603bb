import fs from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Secrets } from '../../../electron/app/secrets.js'
import { BucketClient } from '../../../electron/client/index.js'
import type { HostStatus, Settings } from '../../../shared/ipc.js'
import { parseInvite } from '../../../shared/invite.js'
import { appFixture, freePort, type AppFixture } from './helpers.js'

/** Stands in for Electron's safeStorage: what it seals does not contain the text. */
const secrets: Secrets = {
  seal: (text) => Buffer.from(text).reverse().toString('base64'),
  open: (sealed) => Buffer.from(sealed, 'base64').reverse().toString(),
}

let f: AppFixture | undefined
afterEach(async () => {
  await f?.stop()
  f = undefined
})

async function host(fx: AppFixture, more: Record<string, unknown> = {}): Promise<HostStatus> {
  return fx.ok<HostStatus>('host:start', {
    root: fx.shared,
    port: await freePort(),
    exposure: 'loopback',
    requireCode: true,
    ...more,
  })
}

const settingsFile = (fx: AppFixture): Promise<string> =>
  fs.readFile(path.join(fx.base, 'settings', 'config.json'), 'utf8')

/** Whether `code` opens the host (plain TCP, or TLS with its certificate). */
async function opens(status: HostStatus, code: string): Promise<boolean> {
  const client = await BucketClient.connect({
    host: '127.0.0.1',
    port: status.port!,
    accessCode: code,
    ...(status.encrypted ? { tls: { fingerprint: status.fingerprint! } } : {}),
  }).catch(() => undefined)
  client?.close()
  return client !== undefined
}

describe("the host's own access code", () => {
  it('is kept hashed: never in the settings file, the host log or the transcript', async () => {
    f = await appFixture()
    const status = await host(f, { encrypted: false })
    const code = status.accessCode!
    expect(code).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/)
    expect(status.codeRequired).toBe(true)
    await f.ok('connection:connect', {
      host: '127.0.0.1',
      port: status.port,
      encrypted: false,
      accessCode: code,
    })
    await f.ok('buckets:create', { name: 'b' })
    await f.ok('console:run', { line: `auth ${code}` })
    await f.ok('console:run', { line: 'ls_b' })
    expect(await opens(status, 'wrong-code')).toBe(false)
    const history = await f.ok('app:history')
    const settings = await settingsFile(f)
    expect(settings).toContain('"requireCode": true')
    for (const text of [
      settings,
      JSON.stringify(f.events['host:log']),
      JSON.stringify(f.events['console:entry']),
      JSON.stringify(history),
      JSON.stringify(await f.ok<Settings>('settings:get')),
    ])
      expect(text).not.toContain(code)
    expect(f.events['console:entry'].map((e) => e.command)).toContain('auth ***')
    expect((await f.ok<Settings>('settings:get')).accessCodeKept).toBe(true)
  })

  it('opens the host again after a restart of the app, though it cannot be shown there', async () => {
    f = await appFixture()
    const first = await host(f, { encrypted: true })
    const code = first.accessCode!
    expect(parseInvite(first.invite!)).toMatchObject({ ok: true, invite: { accessCode: code } })
    await f.quit()
    f = await appFixture({ base: f.base })
    const again = await host(f, { encrypted: true })
    expect(again).toMatchObject({ running: true, codeRequired: true, accessCode: null })
    // The invite leaves out the code it cannot know.
    const invite = parseInvite(again.invite!)
    expect(invite.ok && invite.invite.accessCode).toBe(undefined)
    expect(await opens(again, code)).toBe(true)
    expect(await opens(again, 'wrong-code')).toBe(false)
    // A code typed now replaces it, and is shown for this run.
    const typed = await host(f, { encrypted: true, accessCode: 'kite-lamp-93' })
    expect(typed.accessCode).toBe('kite-lamp-93')
    expect(await opens(typed, code)).toBe(false)
    expect(await opens(typed, 'kite-lamp-93')).toBe(true)
    expect(await settingsFile(f)).not.toContain('kite-lamp-93')
  })

  it('is shown again after a restart where the app can seal it (the desktop app)', async () => {
    f = await appFixture({ secrets })
    const code = (await host(f)).accessCode!
    await f.quit()
    f = await appFixture({ base: f.base, secrets })
    const again = await host(f, { encrypted: true })
    expect(again.accessCode).toBe(code)
    expect(parseInvite(again.invite!)).toMatchObject({ ok: true, invite: { accessCode: code } })
    expect(await settingsFile(f)).not.toContain(code)
  })

  it('stays kept while no code is required, and comes back when one is', async () => {
    f = await appFixture()
    const code = (await host(f)).accessCode!
    const open = await host(f, { requireCode: false })
    expect(open).toMatchObject({ codeRequired: false, accessCode: null })
    expect(await opens(open, 'anything')).toBe(true)
    const back = await host(f)
    expect(back.accessCode).toBe(code)
    expect(await opens(back, code)).toBe(true)
  })

  it('moves a code an older version kept in clear into a hash, and it still opens the host', async () => {
    f = await appFixture()
    await f.quit()
    await fs.mkdir(path.join(f.base, 'settings'), { recursive: true })
    await fs.writeFile(
      path.join(f.base, 'settings', 'config.json'),
      JSON.stringify({ requireCode: true, accessCode: 'older-clear-code' }),
    )
    f = await appFixture({ base: f.base })
    const status = await host(f)
    expect(status.accessCode).toBe('older-clear-code')
    expect(await opens(status, 'older-clear-code')).toBe(true)
    expect(await settingsFile(f)).not.toContain('older-clear-code')
  })
})
