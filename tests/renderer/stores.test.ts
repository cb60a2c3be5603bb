import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { STOPPED_HOST, type ConsoleEntry, type TransferInfo } from '../../shared/ipc.js'
import { setBridge } from '../../renderer/src/bridge/index.js'
import { useBucketsStore } from '../../renderer/src/stores/buckets.js'
import {
  MAX_ENTRIES,
  MAX_SHOWN_LINES,
  MAX_TOTAL_LINES,
  useConsoleStore,
} from '../../renderer/src/stores/console.js'
import { MAX_LOG_LINES, useHostStore } from '../../renderer/src/stores/host.js'
import { useConnectionStore } from '../../renderer/src/stores/connection.js'
import { useNoticesStore } from '../../renderer/src/stores/notices.js'
import { useTransfersStore } from '../../renderer/src/stores/transfers.js'
import { wireStores } from '../../renderer/src/stores/wiring.js'
import { CONNECTED, FakeBridge } from './fakeBridge.js'

let bridge: FakeBridge
beforeEach(() => {
  setActivePinia(createPinia())
  bridge = new FakeBridge()
  setBridge(bridge)
})

const entry = (id: number, command = 'ls_b'): ConsoleEntry => ({
  id,
  source: 'console',
  command,
  lines: [],
  status: { code: 500, abbr: 'BLS', detail: '', ok: true },
  time: 0,
})

describe('console store', () => {
  it('adds an entry once, whether it comes as an event or as the answer', async () => {
    bridge.handle('console:run', () => entry(1))
    const store = useConsoleStore()
    store.add(entry(1))
    await store.run('ls_b')
    expect(store.entries.map((e) => e.id)).toEqual([1])
    store.add(entry(2))
    store.add(entry(1))
    expect(store.entries.map((e) => e.id)).toEqual([1, 2])
    expect(store.history).toEqual(['ls_b'])
  })

  it('keeps the latest entries only', () => {
    const store = useConsoleStore()
    for (let id = 1; id <= MAX_ENTRIES + 5; id++) store.add(entry(id))
    expect(store.entries).toHaveLength(MAX_ENTRIES)
    expect(store.entries[0]!.id).toBe(6)
  })

  it('keeps fewer entries when they carry long listings, but always the newest', () => {
    const store = useConsoleStore()
    const long = (id: number): ConsoleEntry => ({ ...entry(id), lines: Array(600).fill('x') })
    const fit = MAX_TOTAL_LINES / MAX_SHOWN_LINES
    for (let id = 1; id <= fit + 3; id++) store.add(long(id))
    expect(store.entries).toHaveLength(fit)
    expect(store.entries.at(-1)!.id).toBe(fit + 3)
    expect(store.totalLines).toBe(fit * MAX_SHOWN_LINES)
    store.clear()
    store.add(long(1))
    expect(store.entries.map((e) => e.id)).toEqual([1])
  })

  it('does not run blank lines nor repeat the last history line', async () => {
    bridge.handle('console:run', () => entry(Math.random()))
    const store = useConsoleStore()
    await store.run('   ')
    await store.run('help')
    await store.run('help')
    expect(bridge.called('console:run')).toEqual([{ line: 'help' }, { line: 'help' }])
    expect(store.history).toEqual(['help'])
  })
})

describe('buckets store', () => {
  it('lists buckets sorted and selects a new bucket after creating it', async () => {
    const names = ['zebra', 'Apple']
    bridge
      .handle('buckets:list', () => names.map((name) => ({ name, files: 0 })))
      .handle('buckets:create', ((args: { name: string }) => void names.push(args.name)) as never)
      .handle('files:list', () => [])
    useConnectionStore().state = CONNECTED
    const store = useBucketsStore()
    expect(await store.create('mango')).toBe(true)
    expect(store.buckets.map((b) => b.name)).toEqual(['Apple', 'mango', 'zebra'])
    expect(store.selected).toBe('mango')
  })

  it('shows a refusal with its protocol code and meaning', async () => {
    bridge
      .handle('buckets:create', () => ({
        ok: false,
        error: { code: 350, message: 'Bucket Creation Fails: bucket already exists' },
      }))
      .handle('buckets:list', () => [])
    expect(await useBucketsStore().create('dup')).toBe(false)
    expect(useNoticesStore().error).toBe('350 BCF — Bucket Creation Fails: bucket already exists')
  })

  it('says a drop box hides its files in place of a failure, and shows others as usual', async () => {
    bridge.handle('files:list', ((args: { bucket: string }) =>
      args.bucket === 'homework'
        ? {
            ok: false,
            error: { code: 850, message: 'Files Listing Fails: not allowed for this access code' },
          }
        : [{ name: 'a.txt', size: 1, modified: 0 }]) as never)
    const store = useBucketsStore()
    await store.select('homework')
    expect(store.hidden).toBe(true)
    expect(store.files).toEqual([])
    expect(useNoticesStore().error).toBeNull()
    await store.select('photos')
    expect(store.hidden).toBe(false)
    expect(store.files).toHaveLength(1)
  })

  it('reports files that could not be deleted', async () => {
    bridge
      .handle('files:delete', () => ({
        deleted: ['a'],
        failed: [{ name: 'b', error: 'no such file' }],
      }))
      .handle('files:list', () => [])
      .handle('buckets:list', () => [{ name: 'x', files: 0 }])
    const store = useBucketsStore()
    store.selected = 'x'
    await store.deleteFiles(['a', 'b'])
    expect(useNoticesStore().error).toBe('1050 FDF — b: no such file')
  })
})

describe('transfers store', () => {
  const info = (over: Partial<TransferInfo>): TransferInfo => ({
    id: 't1',
    direction: 'upload',
    bucket: 'b',
    name: 'f',
    bytes: 0,
    total: 10,
    rate: 0,
    state: 'running',
    ...over,
  })

  it('ignores a progress report that arrives after the end', () => {
    const store = useTransfersStore()
    const ended: string[] = []
    store.onFinished((t) => ended.push(t.state))
    store.update(info({ bytes: 5 }))
    store.update(info({ bytes: 10, state: 'done' }))
    store.update(info({ bytes: 7 }))
    expect(store.items).toEqual([info({ bytes: 10, state: 'done' })])
    expect(ended).toEqual(['done'])
    expect(store.active).toBe(0)
  })

  it('tells every transfer that stops, even several at once, until unsubscribed', () => {
    const store = useTransfersStore()
    const ended: string[] = []
    const off = store.onFinished((t) => ended.push(`${t.id} ${t.state}`))
    store.update(info({ id: 'a', state: 'done' }))
    store.update(info({ id: 'b', state: 'failed' }))
    store.update(info({ id: 'c', state: 'running' }))
    off()
    store.update(info({ id: 'c', state: 'cancelled' }))
    expect(ended).toEqual(['a done', 'b failed'])
    expect(store.lastFinished).toMatchObject({ id: 'c', state: 'cancelled' })
  })

  it('takes a new start of a paused, queued or failed transfer, never a report of an old one', () => {
    const store = useTransfersStore()
    store.update(info({ bytes: 5, attempt: 1 }))
    store.update(info({ bytes: 5, attempt: 1, state: 'paused' }))
    store.update(info({ bytes: 6, attempt: 1 }))
    expect(store.items[0]).toMatchObject({ state: 'paused', bytes: 5 })
    store.update(info({ bytes: 0, attempt: 2 }))
    store.update(info({ bytes: 4, attempt: 2, state: 'queued', error: 'connection lost: closed' }))
    store.update(info({ bytes: 9, attempt: 1 }))
    expect(store.items[0]).toMatchObject({ state: 'queued', bytes: 4 })
    store.update(info({ bytes: 10, attempt: 3, state: 'failed' }))
    expect(store).toMatchObject({ failed: 1, paused: 0, active: 0 })
    store.update(info({ bytes: 1, attempt: 4 }))
    expect(store).toMatchObject({ failed: 0, active: 1 })
  })
})

describe('wiring', () => {
  it('loads settings and follows connection events, clearing buckets on disconnect', async () => {
    bridge
      .handle('app:info', () => ({ version: '1', nativeDialogs: true, sealedKeys: true }))
      .handle('settings:get', () => ({
        lastFolder: '/srv/share',
        lastPort: 5000,
        exposure: 'network',
        recentPeers: [{ host: '10.0.0.2', port: 4567 }],
        encrypted: true,
        requireCode: true,
        accessCodeKept: true,
        readOnly: false,
        displayName: 'Studio',
        storage: 's3',
        lastS3: { endpoint: 'http://10.0.0.9:3900', bucket: 'team', prefix: 'x', pathStyle: true },
        grants: [],
        grantSalt: null,
      }))
      .handle('host:status', () => STOPPED_HOST)
      .handle('connection:state', () => ({ status: 'disconnected' }))
      .handle('buckets:list', () => [{ name: 'b', files: 2 }])
    const off = await wireStores()
    const connection = useConnectionStore()
    expect(connection.recent).toEqual([{ host: '10.0.0.2', port: 4567 }])
    expect(useHostStore().displayName).toBe('Studio')
    expect(useHostStore().requireCode).toBe(true)
    expect(useHostStore().storage).toBe('s3')
    expect(useHostStore().s3).toMatchObject({ endpoint: 'http://10.0.0.9:3900', bucket: 'team' })
    expect(useHostStore().sealedKeys).toBe(true)
    // The kept code is never sent to the page: the form only knows one is kept.
    expect(useHostStore().codeKept).toBe(true)
    expect(useHostStore().accessCode).toBe('')
    bridge.emit('connection:state', {
      status: 'connected',
      host: '10.0.0.2',
      port: 4567,
      fingerprint: null,
      firstContact: false,
      needsCode: false,
    })
    await expect.poll(() => useBucketsStore().buckets.length).toBe(1)
    expect(connection.label).toBe('Connected to 10.0.0.2:4567')
    bridge.emit('connection:state', { status: 'disconnected', error: 'Connection lost' })
    expect(useBucketsStore().buckets).toEqual([])
    off()
  })
})

describe('a reload', () => {
  it('starts from the session so far: console, server log and transfers', async () => {
    const done: TransferInfo = {
      id: 't1',
      direction: 'upload',
      bucket: 'b',
      name: 'a.txt',
      bytes: 1,
      total: 1,
      rate: 0,
      state: 'done',
    }
    bridge.handle('app:history', () => ({
      console: [entry(1, 'create_b b'), { ...entry(2, 'ls_b'), source: 'auto' as const }],
      hostLog: [{ time: 0, text: 'create_b b -> 300 BCS' }],
      transfers: [done],
    }))
    const off = await wireStores()
    expect(useConsoleStore().entries.map((e) => e.command)).toEqual(['create_b b'])
    expect(useConsoleStore().housekeeping).toHaveLength(1)
    // The same entry sent again as an event is not shown twice.
    bridge.emit('console:entry', entry(1, 'create_b b'))
    bridge.emit('console:entry', { ...entry(2, 'ls_b'), source: 'auto' })
    expect(useConsoleStore().entries).toHaveLength(1)
    expect(useConsoleStore().housekeeping).toHaveLength(1)
    expect(useHostStore().log.map((l) => l.text)).toEqual(['create_b b -> 300 BCS'])
    expect(useTransfersStore().items).toEqual([done])
    off()
  })
})

describe('one conversation', () => {
  it('lists buckets again after a change typed in the Console tab', async () => {
    let lists = 0
    bridge
      .handle('app:info', () => ({ version: '1', nativeDialogs: false, sealedKeys: false }))
      .handle('connection:state', () => CONNECTED)
      .handle('buckets:list', () => {
        lists++
        return [{ name: `typed ${lists}`, files: 0 }]
      })
    const off = await wireStores()
    await expect.poll(() => lists).toBe(1)
    const typed = (id: number, command: string, ok: boolean): ConsoleEntry => ({
      ...entry(id, command),
      status: ok
        ? { code: 300, abbr: 'BCS', detail: '', ok: true }
        : { code: 350, abbr: 'BCF', detail: 'bucket already exists', ok: false },
    })
    bridge.emit('console:entry', typed(7, 'create_b x', false))
    bridge.emit('console:entry', typed(8, 'ls_b', true))
    await new Promise((r) => setTimeout(r, 50))
    expect(lists).toBe(1)
    bridge.emit('console:entry', typed(9, 'create_b "typed 2"', true))
    await expect.poll(() => useBucketsStore().buckets.map((b) => b.name)).toEqual(['typed 2'])
    off()
  })

  it("keeps the app's own listings out of the conversation unless asked", () => {
    const store = useConsoleStore()
    store.add(entry(1, 'create_b a'))
    store.add({ ...entry(2, 'ls_b'), source: 'auto' })
    store.add(entry(3, 'delete_b a'))
    expect(store.shown.map((e) => e.id)).toEqual([1, 3])
    expect(store.housekeeping.map((e) => e.id)).toEqual([2])
    store.showHousekeeping = true
    expect(store.shown.map((e) => e.id)).toEqual([1, 2, 3])
  })
})

describe('host store', () => {
  it('starts with the chosen options and shows the addresses it answers', async () => {
    const running = {
      ...STOPPED_HOST,
      running: true,
      root: '/srv/share',
      port: 5000,
      exposure: 'network' as const,
      codeRequired: true,
      accessCode: 'kite-lamp-93',
      addresses: ['192.168.1.20:5000'],
    }
    bridge.handle('host:start', () => running)
    const host = useHostStore()
    expect(host.canStart).toBe(false)
    host.folder = ' /srv/share '
    host.port = 5000
    host.exposure = 'network'
    expect(host.canStart).toBe(true)
    await host.start()
    expect(bridge.called('host:start')).toEqual([
      { root: '/srv/share', port: 5000, exposure: 'network', encrypted: true, readOnly: false },
    ])
    expect(host.running).toBe(true)
    expect(host.status.addresses).toEqual(['192.168.1.20:5000'])
    expect(host.status.accessCode).toBe('kite-lamp-93')
    // The next start uses the same code unless another one is typed.
    expect(host.codeKept).toBe(true)
  })

  it('shows why it could not start, and keeps the folder when the dialog is cancelled', async () => {
    bridge
      .handle('host:start', () => ({
        ok: false,
        error: { code: 'INTERNAL', message: 'Port 80 is in use' },
      }))
      .handle('dialog:chooseFolder', () => null)
    const host = useHostStore()
    host.folder = '/a'
    await host.start()
    expect(host.error).toBe('Port 80 is in use')
    expect(useNoticesStore().error).toBeNull()
    expect(host.running).toBe(false)
    expect(host.starting).toBe(false)
    await host.browse()
    expect(host.folder).toBe('/a')
    bridge.handle('dialog:chooseFolder', () => '/b')
    await host.browse()
    expect(host.folder).toBe('/b')
  })

  it('keeps the last lines of the server log', () => {
    const host = useHostStore()
    for (let i = 0; i < MAX_LOG_LINES + 10; i++) host.addLog({ time: i, text: `line ${i}` })
    expect(host.log).toHaveLength(MAX_LOG_LINES)
    expect(host.log[0]!.text).toBe('line 10')
    expect(host.log.at(-1)!.text).toBe(`line ${MAX_LOG_LINES + 9}`)
  })
})

describe('connection store', () => {
  const connected = (host: string, port: number) => ({
    status: 'connected' as const,
    host,
    port,
    fingerprint: null,
    firstContact: false,
  })

  it('connects with the fields and puts the peer first among the recent ones', async () => {
    bridge.handle('connection:connect', ((args: { host: string; port: number }) =>
      connected(args.host, args.port)) as never)
    const connection = useConnectionStore()
    connection.recent = [
      { host: 'a', port: 1 },
      { host: 'b', port: 2 },
    ]
    connection.host = ' b '
    connection.port = 2
    connection.accessCode = 'secret'
    await connection.connect()
    expect(bridge.called('connection:connect')).toEqual([
      { host: 'b', port: 2, encrypted: true, accessCode: 'secret' },
    ])
    expect(connection.connected).toBe(true)
    expect(connection.recent).toEqual([
      { host: 'b', port: 2 },
      { host: 'a', port: 1 },
    ])
  })

  it('shows a refused connection as disconnected with its reason', async () => {
    bridge.handle('connection:connect', () => ({
      status: 'disconnected',
      error: 'Connection refused by 127.0.0.1:1',
    }))
    const connection = useConnectionStore()
    await connection.connect({ host: '127.0.0.1', port: 1 })
    expect(connection.state).toEqual({
      status: 'disconnected',
      error: 'Connection refused by 127.0.0.1:1',
    })
    expect(connection.label).toBe('Not connected')
    expect(connection.recent).toEqual([])
  })
})
