import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import type { ConsoleEntry, TransferInfo } from '../../shared/ipc.js'
import { setBridge } from '../../renderer/src/bridge/index.js'
import BucketList from '../../renderer/src/components/BucketList.vue'
import ConfirmDialog from '../../renderer/src/components/ConfirmDialog.vue'
import ConsoleTab from '../../renderer/src/components/ConsoleTab.vue'
import TransferPanel from '../../renderer/src/components/TransferPanel.vue'
import { useBucketsStore } from '../../renderer/src/stores/buckets.js'
import { useConsoleStore } from '../../renderer/src/stores/console.js'
import { useTransfersStore } from '../../renderer/src/stores/transfers.js'
import { FakeBridge } from './fakeBridge.js'

let bridge: FakeBridge
beforeEach(() => {
  setActivePinia(createPinia())
  bridge = new FakeBridge()
  setBridge(bridge)
})

const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0))

describe('ConsoleTab', () => {
  let id = 0
  const answer = (line: string): ConsoleEntry => ({
    id: ++id,
    source: 'console',
    command: line,
    lines: [],
    status:
      line === 'bogus'
        ? { code: 400, abbr: 'BCMD', detail: 'unknown command', ok: false }
        : { code: 500, abbr: 'BLS', detail: '', ok: true },
    time: 0,
  })

  it('runs a line on Enter and colours the status by success, with its meaning', async () => {
    bridge.handle('console:run', ((args: { line: string }) => answer(args.line)) as never)
    const wrapper = mount(ConsoleTab, { props: { active: true } })
    const input = wrapper.get('[data-testid="console-input"]')
    for (const line of ['ls_b', 'bogus']) {
      await input.setValue(line)
      await input.trigger('submit')
      await flush()
    }
    const statuses = wrapper.findAll('[data-testid="console-status"]')
    expect(statuses.map((s) => s.text())).toEqual([
      '500 BLS (Bucket Listed Successfully)',
      '400 BCMD unknown command (Bad Command)',
    ])
    expect(statuses.map((s) => s.classes())).toEqual([
      expect.arrayContaining(['ok']),
      expect.arrayContaining(['fail']),
    ])
  })

  it('walks the history with the arrow keys and completes with Tab', async () => {
    bridge.handle('console:run', ((args: { line: string }) => answer(args.line)) as never)
    useBucketsStore().buckets = [{ name: 'my photos', files: 0 }]
    const wrapper = mount(ConsoleTab, { props: { active: true } })
    const input = wrapper.get<HTMLInputElement>('[data-testid="console-input"]')
    for (const line of ['help', 'ls_b']) {
      await input.setValue(line)
      await input.trigger('submit')
      await flush()
    }
    await input.trigger('keydown', { key: 'ArrowUp' })
    expect(input.element.value).toBe('ls_b')
    await input.trigger('keydown', { key: 'ArrowUp' })
    expect(input.element.value).toBe('help')
    await input.trigger('keydown', { key: 'ArrowDown' })
    await input.trigger('keydown', { key: 'ArrowDown' })
    expect(input.element.value).toBe('')
    await input.setValue('ls_f my')
    await input.trigger('keydown', { key: 'Tab' })
    expect(input.element.value).toBe('ls_f "my photos" ')
  })
})

describe('ConsoleTab output', () => {
  const typed: ConsoleEntry = {
    id: 7,
    source: 'console',
    command: 'ls_b',
    lines: ['photos 3', '"my music" 0'],
    status: { code: 500, abbr: 'BLS', detail: '', ok: true },
    time: 0,
  }

  it('shows an entry once when it comes both as an event and as the answer', async () => {
    bridge.handle('console:run', () => typed)
    const wrapper = mount(ConsoleTab, { props: { active: true } })
    useConsoleStore().add(typed)
    const input = wrapper.get('[data-testid="console-input"]')
    await input.setValue('ls_b')
    await input.trigger('submit')
    await flush()
    const entries = wrapper.findAll('[data-testid="console-entry"]')
    expect(entries).toHaveLength(1)
    expect(entries[0]!.text()).toContain('-> "my music" 0')
  })

  it('shows the error of a command that got no answer, and clears', async () => {
    const wrapper = mount(ConsoleTab, { props: { active: true } })
    useConsoleStore().add({
      ...typed,
      id: 8,
      source: 'gui',
      command: 'upload /nope a b',
      lines: [],
      status: null,
      error: 'cannot read /nope',
    })
    await nextTick()
    const status = wrapper.get('[data-testid="console-status"]')
    expect(status.text()).toBe('error: cannot read /nope')
    expect(status.classes()).toContain('fail')
    await wrapper.get('[data-testid="console-clear"]').trigger('click')
    expect(wrapper.findAll('[data-testid="console-entry"]')).toHaveLength(0)
  })
})

describe('BucketList', () => {
  it('deletes a bucket only after confirmation', async () => {
    bridge.handle('buckets:delete', () => undefined).handle('buckets:list', () => [])
    useBucketsStore().buckets = [{ name: 'old', files: 3 }]
    const wrapper = mount(
      { components: { BucketList, ConfirmDialog }, template: '<BucketList /><ConfirmDialog />' },
      {
        attachTo: document.body,
      },
    )
    await wrapper.get('[data-testid="bucket-delete"]').trigger('click')
    await nextTick()
    expect(wrapper.text()).toContain('The bucket and its 3 files will be deleted')
    await wrapper.get('[data-testid="confirm-cancel"]').trigger('click')
    await flush()
    expect(bridge.called('buckets:delete')).toEqual([])
    await wrapper.get('[data-testid="bucket-delete"]').trigger('click')
    await nextTick()
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click')
    await flush()
    expect(bridge.called('buckets:delete')).toEqual([{ name: 'old' }])
    wrapper.unmount()
  })
})

describe('TransferPanel', () => {
  it('shows progress, rate and time left, and cancels a running transfer', async () => {
    bridge.handle('transfers:cancel', () => undefined)
    useTransfersStore().update({
      id: 'x',
      direction: 'download',
      bucket: 'b',
      name: 'movie.mkv',
      bytes: 25 * 1024 * 1024,
      total: 100 * 1024 * 1024,
      rate: 5 * 1024 * 1024,
      state: 'running',
    })
    const wrapper = mount(TransferPanel)
    expect(wrapper.get('[role="progressbar"]').attributes('aria-valuenow')).toBe('25')
    expect(wrapper.text()).toContain('25 MiB of 100 MiB · 5 MiB/s 15 s left')
    await wrapper.get('[data-testid="transfer-cancel"]').trigger('click')
    expect(bridge.called('transfers:cancel')).toEqual([{ id: 'x' }])
  })

  it('shows a failed transfer with its error, to retry or remove from the queue', async () => {
    const transfers = useTransfersStore()
    const wrapper = mount(TransferPanel)
    transfers.update({
      id: 'y',
      direction: 'upload',
      bucket: 'b',
      name: 'big.iso',
      bytes: 10,
      total: 100,
      rate: 0,
      state: 'failed',
      error: '750 FUTBF — disk full',
    })
    await nextTick()
    const item = wrapper.get('[data-testid="transfer-item"]')
    expect(item.get('[data-testid="transfer-state"]').text()).toBe('failed')
    expect(item.text()).toContain('750 FUTBF — disk full')
    expect(item.get('[data-testid="transfer-resume"]').text()).toBe('Retry')
    expect(item.get('[data-testid="transfer-cancel"]').text()).toBe('Remove')
    expect(item.find('[data-testid="transfer-pause"]').exists()).toBe(false)
    expect(item.get('[role="progressbar"]').attributes('aria-valuenow')).toBe('10')
    expect(wrapper.get('[data-testid="transfers-retry-failed"]').text()).toBe('Retry all failed')
  })

  it('pauses and resumes a row and all rows, and counts down to a retry', async () => {
    for (const channel of ['transfers:pause', 'transfers:resume', 'transfers:retryFailed'] as const)
      bridge.handle(channel, () => undefined)
    const transfers = useTransfersStore()
    const row = (id: string, over: Partial<TransferInfo>): TransferInfo => ({
      id,
      direction: 'upload',
      bucket: 'b',
      name: `${id}.bin`,
      bytes: 10,
      total: 100,
      rate: 0,
      state: 'running',
      ...over,
    })
    transfers.update(row('run', {}))
    transfers.update(
      row('lost', {
        state: 'queued',
        error: 'connection lost: closed',
        retryAt: Date.now() + 8_000,
      }),
    )
    transfers.update(row('held', { state: 'paused' }))
    const wrapper = mount(TransferPanel)
    const items = wrapper.findAll('[data-testid="transfer-item"]')
    expect(items[1]!.text()).toContain('connection lost: closed, retrying in 8 s')
    expect(items[0]!.text()).toContain('10 B of 100 B')
    await items[2]!.get('[data-testid="transfer-pause"]').trigger('click')
    await items[0]!.get('[data-testid="transfer-resume"]').trigger('click')
    await wrapper.get('[data-testid="transfers-pause-all"]').trigger('click')
    await wrapper.get('[data-testid="transfers-resume-all"]').trigger('click')
    expect(bridge.called('transfers:pause')).toEqual([{ id: 'run' }, {}])
    expect(bridge.called('transfers:resume')).toEqual([{ id: 'held' }, {}])
  })
})
