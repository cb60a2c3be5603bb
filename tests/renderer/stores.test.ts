import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { STOPPED_HOST, type ConsoleEntry, type TransferInfo } from '../../shared/ipc.js'
import { setBridge } from '../../renderer/src/bridge/index.js'
import { useBucketsStore } from '../../renderer/src/stores/buckets.js'
import { MAX_ENTRIES, useConsoleStore } from '../../renderer/src/stores/console.js'
import { useConnectionStore } from '../../renderer/src/stores/connection.js'
import { useNoticesStore } from '../../renderer/src/stores/notices.js'
import { useTransfersStore } from '../../renderer/src/stores/transfers.js'
import { wireStores } from '../../renderer/src/stores/wiring.js'
import { FakeBridge } from './fakeBridge.js'

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
    expect(store.history).toEqual(['ls_b'])
  })

  it('keeps the latest entries only', () => {
    const store = useConsoleStore()
    for (let id = 1; id <= MAX_ENTRIES + 5; id++) store.add(entry(id))
    expect(store.entries).toHaveLength(MAX_ENTRIES)
    expect(store.entries[0]!.id).toBe(6)
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
})

describe('wiring', () => {
  it('loads settings and follows connection events, clearing buckets on disconnect', async () => {
    bridge
      .handle('app:info', () => ({ version: '1', nativeDialogs: true }))
      .handle('settings:get', () => ({
        lastFolder: '/srv/share',
        lastPort: 5000,
        exposure: 'network',
        recentPeers: [{ host: '10.0.0.2', port: 4567 }],
        encrypted: true,
        requireCode: true,
        accessCode: 'abcd-efgh-jkmn',
        readOnly: false,
      }))
      .handle('host:status', () => STOPPED_HOST)
      .handle('connection:state', () => ({ status: 'disconnected' }))
      .handle('buckets:list', () => [{ name: 'b', files: 2 }])
    const off = await wireStores()
    const connection = useConnectionStore()
    expect(connection.recent).toEqual([{ host: '10.0.0.2', port: 4567 }])
    bridge.emit('connection:state', {
      status: 'connected',
      host: '10.0.0.2',
      port: 4567,
      fingerprint: null,
      firstContact: false,
    })
    await expect.poll(() => useBucketsStore().buckets.length).toBe(1)
    expect(connection.label).toBe('Connected to 10.0.0.2:4567')
    bridge.emit('connection:state', { status: 'disconnected', error: 'Connection lost' })
    expect(useBucketsStore().buckets).toEqual([])
    off()
  })
})

describe('one conversation', () => {
  it('lists buckets again after a change typed in the Console tab', async () => {
    let lists = 0
    bridge
      .handle('app:info', () => ({ version: '1', nativeDialogs: false }))
      .handle('connection:state', () => ({ status: 'disconnected' }))
      .handle('buckets:list', () => {
        lists++
        return [{ name: 'typed', files: 0 }]
      })
    const off = await wireStores()
    useNoticesStore().fail({ code: 1150, message: 'Access Grant Fails: access code required' })
    const typed = (command: string, ok: boolean): ConsoleEntry => ({
      ...entry(lists + 100, command),
      status: ok
        ? { code: 1100, abbr: 'AGS', detail: '', ok: true }
        : { code: 1150, abbr: 'AGF', detail: 'wrong access code', ok: false },
    })
    bridge.emit('console:entry', typed('auth nope', false))
    expect(lists).toBe(0)
    bridge.emit('console:entry', { ...typed('auth right', true), id: 500 })
    await expect.poll(() => useBucketsStore().buckets.map((b) => b.name)).toEqual(['typed'])
    expect(useNoticesStore().error).toBeNull()
    off()
  })
})
