import { describe, expect, it } from 'vitest'
import { eventChannel, INVOKE_CHANNEL, REQUEST_NAMES } from '../../shared/channels.js'
import { requestSchemas } from '../../shared/ipc.js'
import { preloadApi, type PreloadIpc } from '../../electron/preload/api.js'

/** Records what the preload asks of Electron's ipcRenderer. */
function fakeIpc() {
  const invoked: unknown[][] = []
  const listeners = new Map<string, ((event: unknown, payload: unknown) => void)[]>()
  const ipc: PreloadIpc = {
    invoke: (...args) => {
      invoked.push(args)
      return Promise.resolve({ ok: true, value: 'answer' })
    },
    on: (channel, listener) =>
      listeners.set(channel, [...(listeners.get(channel) ?? []), listener]),
    off: (channel, listener) =>
      listeners.set(
        channel,
        (listeners.get(channel) ?? []).filter((l) => l !== listener),
      ),
  }
  const emit = (channel: string, payload: unknown): void =>
    (listeners.get(channel) ?? []).forEach((l) => l({ sender: 'the main process' }, payload))
  return { ipc, invoked, listeners, emit }
}

describe('the preload', () => {
  it('exposes the contract and nothing else', () => {
    const api = preloadApi(fakeIpc().ipc, () => '')
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on', 'pathForFile'])
  })

  it('names every request of the contract, and only those', () => {
    expect([...REQUEST_NAMES].sort()).toEqual(Object.keys(requestSchemas).sort())
  })

  it('passes a request of the contract to the main process on the one channel', async () => {
    const { ipc, invoked } = fakeIpc()
    await expect(
      preloadApi(ipc, () => '').invoke('buckets:create', { name: 'x' }),
    ).resolves.toEqual({ ok: true, value: 'answer' })
    expect(invoked).toEqual([[INVOKE_CHANNEL, 'buckets:create', { name: 'x' }]])
  })

  it.each(['shell:openExternal', 'constructor', '__proto__', '', 42])(
    'refuses the request %j without asking the main process',
    async (name) => {
      const { ipc, invoked } = fakeIpc()
      // What a compromised page could send: the types stand in its way only at compile time.
      const invoke = preloadApi(ipc, () => '').invoke as (name: unknown) => Promise<unknown>
      const answer = await invoke(name)
      expect(answer).toEqual({
        ok: false,
        error: { code: 'INVALID_ARGUMENT', message: `unknown request ${JSON.stringify(name)}` },
      })
      expect(invoked).toEqual([])
    },
  )

  it('forwards contract events without the Electron event, until unsubscribed', () => {
    const { ipc, emit } = fakeIpc()
    const api = preloadApi(ipc, () => '')
    const seen: unknown[][] = []
    const off = api.on('host:log', (...args) => seen.push(args))
    emit(eventChannel('host:log'), { time: 1, text: 'hello' })
    off()
    emit(eventChannel('host:log'), { time: 2, text: 'gone' })
    expect(seen).toEqual([[{ time: 1, text: 'hello' }]])
  })

  it('subscribes to nothing for a name outside the contract', () => {
    const { ipc, listeners } = fakeIpc()
    const off = preloadApi(ipc, () => '').on('anything:else' as 'host:log', () => undefined)
    expect(listeners.size).toBe(0)
    expect(off()).toBeUndefined()
  })
})
