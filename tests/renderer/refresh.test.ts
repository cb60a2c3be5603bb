import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { TransferInfo } from '../../shared/ipc.js'
import { setBridge } from '../../renderer/src/bridge/index.js'
import { useBucketsStore } from '../../renderer/src/stores/buckets.js'
import { useConnectionStore } from '../../renderer/src/stores/connection.js'
import { BUSY_INTERVAL_MS, POLL_MS, TRAILING_MS } from '../../shared/refresh.js'
import { useRefreshStore } from '../../renderer/src/stores/refresh.js'
import { useTransfersStore } from '../../renderer/src/stores/transfers.js'
import { CONNECTED, FakeBridge } from './fakeBridge.js'

let bridge: FakeBridge
let version: string | null
beforeEach(() => {
  vi.useFakeTimers()
  setActivePinia(createPinia())
  version = 'v1'
  bridge = new FakeBridge()
    .handle('connection:changes', () => version)
    .handle('buckets:list', () => [{ name: 'photos', files: 1 }])
    .handle('files:list', () => [])
  setBridge(bridge)
})
afterEach(() => vi.useRealTimers())

const lists = (): number => bridge.called('buckets:list').length
const upload = (id: string, state: TransferInfo['state']): TransferInfo => ({
  id,
  direction: 'upload',
  bucket: 'photos',
  name: `${id}.jpg`,
  bytes: 0,
  total: 1,
  rate: 0,
  state,
})

/** A store that is connected and has made its first listing. */
async function connected(): Promise<ReturnType<typeof useRefreshStore>> {
  const refresh = useRefreshStore()
  useConnectionStore().state = CONNECTED
  await vi.advanceTimersByTimeAsync(TRAILING_MS)
  expect(lists()).toBe(1)
  return refresh
}

describe('the refresh path', () => {
  it("lists once when connected, with the peer's folder version asked first", async () => {
    const refresh = await connected()
    expect(bridge.calls.map((c) => c.request)).toEqual(['connection:changes', 'buckets:list'])
    expect(refresh.version).toBe('v1')
  })

  it('makes one listing of many requests close together', async () => {
    const refresh = await connected()
    for (let i = 0; i < 50; i++) refresh.request()
    await vi.advanceTimersByTimeAsync(TRAILING_MS)
    expect(lists()).toBe(2)
  })

  it('waits for requests to pause, but lists at least every BUSY_INTERVAL_MS while they go on', async () => {
    const refresh = await connected()
    for (let t = 0; t < 5 * BUSY_INTERVAL_MS; t += TRAILING_MS - 50) {
      refresh.request()
      await vi.advanceTimersByTimeAsync(TRAILING_MS - 50)
    }
    // 50 requests over ten seconds, never pausing long enough: one listing per interval.
    expect(lists() - 1).toBe(5)
    refresh.request()
    await vi.advanceTimersByTimeAsync(TRAILING_MS)
    expect(lists() - 1).toBe(6)
  })

  it('lists at most every BUSY_INTERVAL_MS while transfers run, and once more when they settle', async () => {
    const refresh = await connected()
    const transfers = useTransfersStore()
    // 500 uploads finishing over ten seconds, one running at any time.
    transfers.update(upload('t0', 'running'))
    for (let i = 1; i <= 500; i++) {
      transfers.update(upload(`t${i}`, 'running'))
      transfers.update(upload(`t${i - 1}`, 'done'))
      refresh.request()
      await vi.advanceTimersByTimeAsync(20)
    }
    const during = lists() - 1
    expect(during).toBeGreaterThan(0)
    expect(during).toBeLessThanOrEqual(Math.ceil((500 * 20) / BUSY_INTERVAL_MS) + 1)
    transfers.update(upload('t500', 'done'))
    refresh.request()
    await vi.advanceTimersByTimeAsync(TRAILING_MS)
    expect(lists() - 1 - during).toBe(1)
  })

  it('runs one refresh at a time: asking during one makes exactly one more', async () => {
    const refresh = await connected()
    let release: () => void = () => undefined
    bridge.handle('buckets:list', () => {
      const list = [{ name: 'photos', files: 1 }]
      return new Promise((resolve) => (release = () => resolve(list))) as never
    })
    const first = refresh.now()
    await vi.advanceTimersByTimeAsync(0)
    expect(refresh.running).toBe(true)
    const second = refresh.now()
    const third = refresh.now()
    await vi.advanceTimersByTimeAsync(100)
    expect(lists()).toBe(2)
    release()
    await first
    await vi.advanceTimersByTimeAsync(0)
    expect(lists()).toBe(3)
    release()
    await Promise.all([second, third])
    expect(lists()).toBe(3)
  })

  it('polls the folder version and lists only when it moved', async () => {
    const refresh = await connected()
    const stop = refresh.start()
    await vi.advanceTimersByTimeAsync(POLL_MS * 3)
    expect(lists()).toBe(1)
    version = 'v2'
    await vi.advanceTimersByTimeAsync(POLL_MS + TRAILING_MS)
    expect(lists()).toBe(2)
    expect(refresh.version).toBe('v2')
    stop()
  })

  it('stops polling a peer too old to know `changes`; the button still lists', async () => {
    version = null
    const refresh = await connected()
    const stop = refresh.start()
    await vi.advanceTimersByTimeAsync(POLL_MS * 3)
    expect(bridge.called('connection:changes')).toHaveLength(1)
    const done = refresh.now()
    await vi.advanceTimersByTimeAsync(0)
    await done
    expect(lists()).toBe(2)
    stop()
  })

  it('lists nothing while the host waits for its access code', async () => {
    const refresh = useRefreshStore()
    useConnectionStore().state = { ...CONNECTED, needsCode: true }
    const stop = refresh.start()
    await vi.advanceTimersByTimeAsync(POLL_MS * 2)
    const done = refresh.now()
    await vi.advanceTimersByTimeAsync(0)
    await done
    expect(bridge.calls).toEqual([])
    expect(useBucketsStore().buckets).toEqual([])
    useConnectionStore().state = CONNECTED
    await vi.advanceTimersByTimeAsync(TRAILING_MS)
    expect(lists()).toBe(1)
    stop()
  })
})
