import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type {
  ConsoleEntry,
  HostStatus,
  SessionHistory,
  Settings,
  TransferInfo,
} from '../../../shared/ipc.js'
import { appFixture, freePort, hostAndConnect, type AppFixture } from './helpers.js'

let f: AppFixture
afterEach(() => f?.stop())

describe('the request contract', () => {
  it('refuses unknown requests and bad arguments with INVALID_ARGUMENT', async () => {
    f = await appFixture()
    expect(await f.core.invoke('fs:readFile', { path: '/etc/passwd' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    })
    expect(await f.core.invoke('__proto__', undefined)).toMatchObject({ ok: false })
    const bad = await f.core.invoke('host:start', { root: 42, port: 70000, exposure: 'everyone' })
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
    if (!bad.ok) expect(bad.error.message).toMatch(/root/)
    // Extra fields are refused too: the renderer gets exactly the contract.
    expect(
      await f.core.invoke('connection:connect', { host: 'x', port: 1, evil: true }),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
  })

  it('answers bucket requests with NOT_CONNECTED until connected', async () => {
    f = await appFixture()
    expect(await f.core.invoke('buckets:list', undefined)).toMatchObject({
      ok: false,
      error: { code: 'NOT_CONNECTED' },
    })
  })

  it('tells the renderer what it may offer', async () => {
    f = await appFixture()
    expect(await f.ok('app:info')).toEqual({
      version: '0.0.0-test',
      nativeDialogs: false,
      sealedKeys: false,
    })
    expect(await f.ok('dialog:chooseFolder', { purpose: 'upload' })).toBeNull()
  })
})

describe('hosting and connecting', () => {
  it('hosts a folder, shows who connects, and remembers folder, port and peer', async () => {
    f = await appFixture()
    const port = await hostAndConnect(f)
    const status = await f.ok<HostStatus>('host:status')
    expect(status).toMatchObject({
      running: true,
      root: f.shared,
      port,
      exposure: 'loopback',
      encrypted: true,
      fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      // On this computer only, no code is needed unless asked for.
      codeRequired: false,
      accessCode: null,
      readOnly: false,
    })
    expect(status.addresses).toEqual([`127.0.0.1:${port}`])
    await expect.poll(async () => (await f.ok<HostStatus>('host:status')).clients).toHaveLength(1)
    expect(f.events['connection:state'].map((s) => s.status)).toEqual(['connecting', 'connected'])
    // The first connection pins the host's certificate, which is the one the host shows.
    expect(f.events['connection:state'][1]).toMatchObject({
      fingerprint: status.fingerprint,
      firstContact: true,
    })
    expect(f.events['host:log'].some((l) => l.text.endsWith('connected'))).toBe(true)
    expect(await f.ok<Settings>('settings:get')).toEqual({
      lastFolder: f.shared,
      lastPort: port,
      exposure: 'loopback',
      recentPeers: [{ host: '127.0.0.1', port, fingerprint: status.fingerprint }],
      encrypted: true,
      // Left to the default (a code on the network only), and kept so.
      requireCode: null,
      accessCodeKept: false,
      readOnly: false,
      displayName: os.hostname(),
      storage: 'folder',
      lastS3: null,
      grants: [],
      grantSalt: expect.stringMatching(/^[0-9a-f]{32}$/),
    })
  })

  it('reports a folder that cannot be hosted', async () => {
    f = await appFixture()
    const result = await f.core.invoke('host:start', {
      root: path.join(f.base, 'missing'),
      port: 4567,
      exposure: 'loopback',
    })
    expect(result).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('no such folder') },
    })
    expect((await f.ok<HostStatus>('host:status')).running).toBe(false)
  })

  it('ends a refused connection disconnected, with the reason', async () => {
    f = await appFixture()
    const state = await f.ok('connection:connect', { host: '127.0.0.1', port: 1 })
    expect(state).toMatchObject({
      status: 'disconnected',
      error: expect.stringContaining('refused'),
    })
  })

  it('notices when the hosted server goes away', async () => {
    f = await appFixture()
    await hostAndConnect(f)
    await f.ok('host:stop')
    await expect
      .poll(() => f.events['connection:state'].at(-1))
      .toMatchObject({
        status: 'disconnected',
        error: expect.stringContaining('Connection lost'),
      })
  })
})

describe('security', () => {
  it('asks for the access code on the network and refuses a wrong one', async () => {
    f = await appFixture()
    const status = await f.ok<HostStatus>('host:start', {
      root: f.shared,
      port: await freePort(),
      exposure: 'network',
    })
    expect(status.accessCode).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/)
    const peer = { host: '127.0.0.1', port: status.port! }
    expect(await f.ok('connection:connect', { ...peer, accessCode: 'wrong' })).toMatchObject({
      status: 'disconnected',
      error: expect.stringContaining('wrong access code'),
    })
    expect(await f.ok('connection:connect', peer)).toMatchObject({
      status: 'connected',
      needsCode: true,
    })
    expect(await f.core.invoke('buckets:list', undefined)).toMatchObject({
      ok: false,
      error: { code: 1150 },
    })
    expect(
      await f.ok('connection:connect', { ...peer, accessCode: status.accessCode! }),
    ).toMatchObject({
      status: 'connected',
    })
    expect(await f.ok('buckets:list')).toEqual([])
  })

  it('says when the host wants a code, and lets in once it is given on the open connection', async () => {
    f = await appFixture()
    const status = await f.ok<HostStatus>('host:start', {
      root: f.shared,
      port: await freePort(),
      exposure: 'loopback',
      requireCode: true,
    })
    await f.ok('connection:connect', { host: '127.0.0.1', port: status.port! })
    expect(f.events['connection:state'].at(-1)).toMatchObject({ needsCode: true })
    expect(await f.core.invoke('connection:auth', { accessCode: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 1150, message: expect.stringContaining('wrong access code') },
    })
    expect(f.events['connection:state'].at(-1)).toMatchObject({ needsCode: true })
    expect(await f.ok('connection:auth', { accessCode: status.accessCode! })).toMatchObject({
      status: 'connected',
      needsCode: false,
    })
    expect(f.events['connection:state'].at(-1)).toMatchObject({ needsCode: false })
    expect(await f.ok('buckets:list')).toEqual([])
    // Uploads run on connections of their own, which give the code too.
    await fs.writeFile(path.join(f.local, 'a.txt'), 'a')
    await f.ok('buckets:create', { name: 'b' })
    await f.ok('transfers:upload', { bucket: 'b', paths: [path.join(f.local, 'a.txt')] })
    await expect.poll(() => f.events['transfer:update'].at(-1)?.state).toBe('done')
  })

  it('remembers a server only once it spoke the protocol: not a web server', async () => {
    f = await appFixture()
    const http = await import('node:http')
    const web = http.createServer((_req, res) => res.end('hello'))
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r))
    const port = (web.address() as { port: number }).port
    try {
      const state = await f.ok('connection:connect', { host: '127.0.0.1', port, encrypted: false })
      expect(state).toMatchObject({
        status: 'disconnected',
        error: expect.stringContaining('is not a BucketShare server'),
      })
      expect((await f.ok<{ recentPeers: unknown[] }>('settings:get')).recentPeers).toEqual([])
    } finally {
      web.closeAllConnections()
      await new Promise((r) => web.close(r))
    }
  })

  it("reports the peer's folder version, which moves on with each change", async () => {
    f = await appFixture()
    await hostAndConnect(f)
    const before = await f.ok<string>('connection:changes')
    expect(await f.ok('connection:changes')).toBe(before)
    await f.ok('buckets:create', { name: 'new' })
    expect(await f.ok('connection:changes')).not.toBe(before)
  })

  it('refuses a changed certificate until the person trusts the new one', async () => {
    f = await appFixture()
    const port = await hostAndConnect(f)
    const first = f.events['connection:state'].at(-1) as { fingerprint: string }
    // The host gets a new certificate (its data folder was reset).
    await f.ok('host:stop')
    await fs.rm(path.join(f.base, 'settings', 'tls-key.pem'))
    await fs.rm(path.join(f.base, 'settings', 'tls-cert.pem'))
    const restarted = await f.ok<HostStatus>('host:start', {
      root: f.shared,
      port,
      exposure: 'loopback',
    })
    expect(restarted.fingerprint).not.toBe(first.fingerprint)
    const refused = await f.ok('connection:connect', { host: '127.0.0.1', port })
    expect(refused).toMatchObject({
      status: 'disconnected',
      error: expect.stringContaining('different certificate'),
      certificateChanged: { expected: first.fingerprint, actual: restarted.fingerprint },
    })
    expect(
      await f.ok('connection:connect', {
        host: '127.0.0.1',
        port,
        trustFingerprint: restarted.fingerprint!,
      }),
    ).toMatchObject({ status: 'connected', fingerprint: restarted.fingerprint })
    // Trusted once, pinned from now on.
    await f.ok('connection:disconnect')
    expect(await f.ok('connection:connect', { host: '127.0.0.1', port })).toMatchObject({
      status: 'connected',
      firstContact: false,
    })
  })
})

describe('one conversation for both tabs', () => {
  it('records console lines and GUI actions as the exact commands sent', async () => {
    f = await appFixture()
    await hostAndConnect(f)
    const typed = await f.ok<ConsoleEntry>('console:run', { line: 'create_b "from console"' })
    expect(typed).toMatchObject({
      source: 'console',
      command: 'create_b "from console"',
      status: { code: 300 },
    })
    await f.ok('buckets:create', { name: 'from gui' })
    const failed = await f.core.invoke('buckets:create', { name: 'from gui' })
    expect(failed).toMatchObject({
      ok: false,
      error: { code: 350, message: 'Bucket Creation Fails: bucket already exists' },
    })
    expect(await f.ok('buckets:list')).toEqual(
      expect.arrayContaining([
        { name: 'from console', files: 0 },
        { name: 'from gui', files: 0 },
      ]),
    )
    expect(
      f.events['console:entry'].map((e) => [e.source, e.command, e.status?.code ?? e.error]),
    ).toEqual([
      ['console', 'create_b "from console"', 300],
      ['gui', 'create_b "from gui"', 300],
      ['gui', 'create_b "from gui"', 350],
      // The GUI's listings are the app's own housekeeping, which the Console folds away.
      ['auto', 'ls_b', 500],
    ])
  })

  it('never shows an access code typed in the console, in the transcript or the host log', async () => {
    f = await appFixture()
    const status = await f.ok<{ addresses: string[] }>('host:start', {
      root: f.shared,
      port: await freePort(),
      exposure: 'loopback',
      requireCode: true,
      accessCode: 'secret-4711',
    })
    const port = Number(status.addresses[0]!.split(':')[1])
    await f.ok('connection:connect', { host: '127.0.0.1', port, accessCode: 'secret-4711' })
    for (const line of ['auth "secret-4711', 'AUTH secret-4711', 'auth secret-4711'])
      await f.ok('console:run', { line })
    const shown = [
      ...f.events['console:entry'].map((e) => e.command),
      ...f.events['host:log'].map((l) => l.text),
    ]
    expect(shown.join('\n')).not.toContain('4711')
    expect(f.events['console:entry'].map((e) => e.command)).toEqual(
      expect.arrayContaining(['auth ***', 'AUTH ***']),
    )
  })

  it('never shows an access code given in the GUI, in the Console or anywhere else', async () => {
    f = await appFixture()
    await hostAndConnect(f)
    await f.ok('connection:auth', { accessCode: 'secret-code' })
    const shown = JSON.stringify(f.events['console:entry'])
    expect(shown).toContain('auth ***')
    expect(shown).not.toContain('secret-code')
  })

  it('keeps the session so far for a page that reloads: console, server log, transfers', async () => {
    f = await appFixture()
    await hostAndConnect(f)
    await f.ok('console:run', { line: 'create_b kept' })
    await fs.writeFile(path.join(f.local, 'a.txt'), 'a')
    await f.ok('transfers:upload', { bucket: 'kept', paths: [path.join(f.local, 'a.txt')] })
    await expect.poll(() => f.events['transfer:update'].at(-1)?.state).toBe('done')
    const history = await f.ok<SessionHistory>('app:history')
    expect(history.console.map((e) => e.command)).toContain('create_b kept')
    expect(history.hostLog.map((l) => l.text).join('\n')).toContain('create_b kept -> 300 BCS')
    expect(history.transfers).toEqual([expect.objectContaining({ name: 'a.txt', state: 'done' })])
  })

  it('shows a console line when not connected as an error entry', async () => {
    f = await appFixture()
    const entry = await f.ok<ConsoleEntry>('console:run', { line: 'ls_b' })
    expect(entry).toMatchObject({ status: null, error: expect.stringContaining('Not connected') })
  })
})

describe('transfers from the GUI', () => {
  it('uploads local files, downloads them to a folder, and reports progress to the end', async () => {
    f = await appFixture()
    await hostAndConnect(f)
    await f.ok('buckets:create', { name: 'b' })
    const source = path.join(f.local, 'hello.txt')
    await fs.writeFile(source, 'hello world')
    const [started] = await f.ok<TransferInfo[]>('transfers:upload', {
      bucket: 'b',
      paths: [source],
    })
    expect(started).toMatchObject({ direction: 'upload', name: 'hello.txt', state: 'running' })
    await expect
      .poll(() =>
        f.events['transfer:update'].find((t) => t.id === started!.id && t.state !== 'running'),
      )
      .toMatchObject({
        state: 'done',
        bytes: 11,
        total: 11,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      })
    const out = path.join(f.local, 'out')
    await fs.mkdir(out)
    const [down] = await f.ok<TransferInfo[]>('transfers:download', {
      bucket: 'b',
      names: ['hello.txt'],
      dir: out,
    })
    await expect
      .poll(() =>
        f.events['transfer:update'].find((t) => t.id === down!.id && t.state !== 'running'),
      )
      .toMatchObject({ state: 'done' })
    expect(await fs.readFile(path.join(out, 'hello.txt'), 'utf8')).toBe('hello world')
    expect(f.events['console:entry'].map((e) => e.command)).toContain('put_f b hello.txt 11')
  })

  it('downloads many small files picked with their listed sizes several at a time on each connection', async () => {
    f = await appFixture()
    await hostAndConnect(f)
    await f.ok('buckets:create', { name: 'b' })
    const names = Array.from({ length: 60 }, (_, i) => `f${i}.txt`)
    for (const name of names) await fs.writeFile(path.join(f.shared, 'b', name), `bytes of ${name}`)
    const out = path.join(f.local, 'out')
    await fs.mkdir(out)
    const sizes = names.map((name) => `bytes of ${name}`.length)
    // One size for each name, or none: a hint that does not match its names is refused.
    expect(
      await f.core.invoke('transfers:download', { bucket: 'b', names, dir: out, sizes: [1] }),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
    const started = await f.ok<TransferInfo[]>('transfers:download', {
      bucket: 'b',
      names,
      dir: out,
      sizes,
    })
    const ended = (id: string) => () =>
      f.events['transfer:update'].find((t) => t.id === id && t.state !== 'running')
    for (const { id } of started) await expect.poll(ended(id)).toMatchObject({ state: 'done' })
    for (const name of names)
      expect(await fs.readFile(path.join(out, name), 'utf8')).toBe(`bytes of ${name}`)
    // Sent on lanes: the plain command, never the one a lone download sends to learn the version
    // it could continue (`download b f0.txt 0`).
    const downloads = f.events['console:entry'].filter((e) => e.command.startsWith('download '))
    expect(downloads.map((e) => e.command).sort()).toEqual(
      names.map((n) => `download b ${n}`).sort(),
    )
  })

  it('moves a folder as one transfer of its tree: files done of total, its files listed', async () => {
    f = await appFixture()
    await hostAndConnect(f)
    await f.ok('buckets:create', { name: 'b' })
    const source = path.join(f.local, 'album')
    await fs.mkdir(path.join(source, 'day one'), { recursive: true })
    await fs.mkdir(path.join(source, 'empty'))
    await fs.writeFile(path.join(source, 'day one', 'a.jpg'), 'aaa')
    await fs.writeFile(path.join(source, 'b.jpg'), 'bb')
    const [up] = await f.ok<TransferInfo[]>('transfers:upload', { bucket: 'b', paths: [source] })
    const ended = (id: string) => () =>
      f.events['transfer:update'].find((t) => t.id === id && t.state !== 'running')
    await expect.poll(ended(up!.id)).toMatchObject({
      name: 'album',
      state: 'done',
      bytes: 5,
      files: 2,
      filesTotal: 2,
    })
    expect(
      ended(up!.id)()!
        .items!.map((i) => i.name)
        .sort(),
    ).toEqual(['album/b.jpg', 'album/day one/a.jpg'])
    expect(await f.ok('files:list', { bucket: 'b' })).toContainEqual({
      name: 'album/empty',
      folder: true,
    })
    await f.ok('files:rename', { bucket: 'b', from: 'album', to: 'trip/album' })
    await f.ok('files:mkdir', { bucket: 'b', folder: 'trip/new' })
    const out = path.join(f.local, 'out')
    await fs.mkdir(out)
    const [down] = await f.ok<TransferInfo[]>('transfers:download', {
      bucket: 'b',
      names: ['trip'],
      dir: out,
      folders: ['trip'],
    })
    await expect.poll(ended(down!.id)).toMatchObject({ state: 'done', files: 2, filesTotal: 2 })
    expect(await fs.readFile(path.join(out, 'trip/album/day one/a.jpg'), 'utf8')).toBe('aaa')
    expect(await fs.readdir(path.join(out, 'trip/album/empty'))).toEqual([])
    expect(await fs.readdir(path.join(out, 'trip/new'))).toEqual([])
  })

  it('shows transfers typed in the Console tab in the transfer panel too', async () => {
    f = await appFixture()
    await hostAndConnect(f)
    await f.ok('buckets:create', { name: 'b' })
    await fs.writeFile(path.join(f.local, 'typed.txt'), 'typed by hand')
    const entry = await f.ok<ConsoleEntry>('console:run', { line: 'upload typed.txt "a copy" b' })
    expect(entry).toMatchObject({ source: 'console', status: { code: 700 } })
    expect(f.events['transfer:update'].at(-1)).toMatchObject({
      direction: 'upload',
      bucket: 'b',
      name: 'a copy',
      state: 'done',
      total: 13,
    })
    const refused = await f.ok<ConsoleEntry>('console:run', { line: 'download ghost x out' })
    expect(refused.status).toMatchObject({ code: 950 })
    expect(f.events['transfer:update'].at(-1)).toMatchObject({
      direction: 'download',
      state: 'failed',
      error: 'File Download From Bucket Fails: no such bucket',
    })
  })

  it('fails a transfer with the code meaning and deletes several files at once', async () => {
    f = await appFixture()
    await hostAndConnect(f)
    const [t] = await f.ok<TransferInfo[]>('transfers:upload', {
      bucket: 'ghost',
      paths: [path.join(f.local, 'nothing')],
    })
    await expect
      .poll(() => f.events['transfer:update'].find((u) => u.id === t!.id && u.state !== 'running'))
      .toMatchObject({ state: 'failed', error: expect.stringContaining('no such file') })
    await f.ok('buckets:create', { name: 'b' })
    await fs.writeFile(path.join(f.shared, 'b', 'one'), '1')
    await fs.writeFile(path.join(f.shared, 'b', 'two'), '2')
    expect(await f.ok('files:delete', { bucket: 'b', names: ['one', 'two', 'three'] })).toEqual({
      deleted: ['one', 'two'],
      failed: [{ name: 'three', error: 'no such file' }],
    })
  })
})
