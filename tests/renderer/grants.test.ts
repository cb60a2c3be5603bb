import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { STOPPED_HOST, type HostStatus } from '../../shared/ipc.js'
import { setBridge } from '../../renderer/src/bridge/index.js'
import HostGrants from '../../renderer/src/components/HostGrants.vue'
import HostTrash from '../../renderer/src/components/HostTrash.vue'
import { editOf } from '../../renderer/src/stores/grants.js'
import { useHostStore } from '../../renderer/src/stores/host.js'
import { wireStores } from '../../renderer/src/stores/wiring.js'
import { FakeBridge } from './fakeBridge.js'

let bridge: FakeBridge
beforeEach(() => {
  setActivePinia(createPinia())
  bridge = new FakeBridge()
  setBridge(bridge)
})

const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0))
const hosting: HostStatus = {
  ...STOPPED_HOST,
  running: true,
  grants: [
    {
      id: '0123456789abcdef',
      label: 'class 3b',
      role: 'drop',
      buckets: ['homework'],
      code: 'k7wq-3mzp-tr9d',
    },
    { id: 'fedcba9876543210', label: 'family', role: 'read', buckets: 'all', code: null },
  ],
  trash: [
    {
      id: '0000001-ab',
      bucket: 'homework',
      file: 'essay.txt',
      size: 6,
      deletedAt: 0,
      cause: 'deleted',
      by: 'access code',
      from: '192.168.1.7',
    },
  ],
}

describe('the grants table', () => {
  it('shows each grant with its code when known, and saves edits and new rows', async () => {
    useHostStore().status = hosting
    bridge.handle('host:grants', () => hosting)
    const w = mount(HostGrants)
    const rows = w.findAll('[data-testid="grant-row"]')
    expect(rows).toHaveLength(2)
    expect(rows[0]!.text()).toContain('k7wq-3mzp-tr9d')
    expect(rows[1]!.text()).toContain('hidden')
    await w.get('[data-testid="grant-add"]').trigger('click')
    const inputs = w.findAll('[data-testid="grant-row"]')[2]!.findAll('input')
    await inputs[1]!.setValue('photos, music')
    await w.get('[data-testid="grant-save"]').trigger('click')
    await flush()
    expect(bridge.called('host:grants')).toEqual([
      {
        grants: [
          { id: '0123456789abcdef', label: 'class 3b', role: 'drop', buckets: ['homework'] },
          { id: 'fedcba9876543210', label: 'family', role: 'read', buckets: 'all' },
          { label: 'code 3', role: 'read', buckets: ['photos', 'music'] },
        ],
      },
    ])
  })

  it('keeps what is being typed when the host publishes a status with the same grants', async () => {
    const host = useHostStore()
    host.status = hosting
    const w = mount(HostGrants)
    await w.findAll('[data-testid="grant-row"]')[0]!.get('input').setValue('class 3c')
    // A client came, a file was deleted: a new status, the grants unchanged.
    host.status = { ...hosting, grants: hosting.grants.map((g) => ({ ...g })), trash: [] }
    await flush()
    const label = w.findAll('[data-testid="grant-row"]')[0]!.get('input')
    expect((label.element as HTMLInputElement).value).toBe('class 3c')
    // Changed grants replace the rows.
    host.status = { ...hosting, grants: [{ ...hosting.grants[1]!, label: 'relatives' }] }
    await flush()
    const rows = w.findAll('[data-testid="grant-row"]')
    expect(rows).toHaveLength(1)
    expect((rows[0]!.get('input').element as HTMLInputElement).value).toBe('relatives')
  })

  it('reads "all" or an empty field as every bucket', () => {
    expect(editOf({ label: 'x', role: 'full', buckets: ' all ' }).buckets).toBe('all')
    expect(editOf({ label: 'x', role: 'full', buckets: '' }).buckets).toBe('all')
  })
})

describe('the trash view', () => {
  it('follows the status the host publishes, without a refresh button', async () => {
    bridge
      .handle('app:info', () => ({ version: '1', nativeDialogs: false, sealedKeys: false }))
      .handle('host:status', () => ({ ...hosting, trash: [] }))
      .handle('connection:state', () => ({ status: 'disconnected' }))
    const off = await wireStores()
    const w = mount(HostTrash)
    expect(w.findAll('[data-testid="trash-entry"]')).toHaveLength(0)
    expect(w.find('button:not([data-testid="trash-empty"])').exists()).toBe(false)
    // Someone deleted a file: the host publishes its status with the new trash.
    bridge.emit('host:status', hosting)
    await flush()
    expect(w.findAll('[data-testid="trash-entry"]')).toHaveLength(1)
    off()
  })

  it('lists who deleted what, and restores or empties', async () => {
    useHostStore().status = hosting
    bridge
      .handle('host:restore', () => ({ ...hosting, trash: [] }))
      .handle('host:emptyTrash', () => ({ ...hosting, trash: [] }))
    const w = mount(HostTrash)
    expect(w.get('[data-testid="trash-entry"]').text()).toMatch(
      /homework \/ essay\.txt — deleted .* by access code from 192\.168\.1\.7/,
    )
    await w.get('[data-testid="trash-entry"] button').trigger('click')
    await flush()
    expect(bridge.called('host:restore')).toEqual([{ id: '0000001-ab' }])
    expect(w.findAll('[data-testid="trash-entry"]')).toHaveLength(0)
    expect(w.get('[data-testid="trash-empty"]').attributes('disabled')).toBeDefined()
  })
})
