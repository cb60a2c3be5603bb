import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ConnectionState, HostStatus, TransferInfo } from '../../shared/ipc.js'
import type { BridgeRequestMessage, BridgeServerMessage } from '../../shared/web-bridge.js'
import { electronBridge } from '../../renderer/src/bridge/electron.js'
import { pickBridge } from '../../renderer/src/bridge/index.js'
import type { Bridge } from '../../renderer/src/bridge/index.js'
import { LOST_MESSAGE, UNREACHABLE_MESSAGE, webBridge } from '../../renderer/src/bridge/web.js'
import { FakeBridge } from './fakeBridge.js'

/** The page's end of the WebSocket, driven by the test as the server would. */
class FakeSocket extends EventTarget {
  static readonly OPEN = 1
  static last: FakeSocket
  readyState = 0
  readonly sent: BridgeRequestMessage[] = []

  constructor(readonly url: string) {
    super()
    FakeSocket.last = this
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data) as BridgeRequestMessage)
  }
  open(): void {
    this.readyState = FakeSocket.OPEN
    this.dispatchEvent(new Event('open'))
  }
  receive(message: BridgeServerMessage): void {
    this.dispatchEvent(new MessageEvent('message', { data: JSON.stringify(message) }))
  }
  drop(): void {
    this.readyState = 3
    this.dispatchEvent(new Event('close'))
  }
}

const page = { search: '?token=s3cret', protocol: 'http:', host: '127.0.0.1:8080' } as Location
const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0))
const transfer = (name: string): TransferInfo => ({
  id: name,
  direction: 'upload',
  bucket: 'b',
  name,
  bytes: 1,
  total: 1,
  rate: 0,
  state: 'done',
})

beforeEach(() => vi.stubGlobal('WebSocket', FakeSocket))
afterEach(() => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

describe('web bridge', () => {
  it('sends requests once the socket opens, with the token, and routes results and events', async () => {
    const bridge = webBridge(page)
    const socket = FakeSocket.last
    expect(socket.url).toBe('ws://127.0.0.1:8080/bridge?token=s3cret')
    const states: ConnectionState[] = []
    const off = bridge.on('connection:state', (s) => states.push(s))
    const result = bridge.invoke('buckets:create', { name: 'x' })
    await flush()
    expect(socket.sent).toEqual([])
    socket.open()
    await flush()
    expect(socket.sent).toEqual([
      { type: 'invoke', id: 1, request: 'buckets:create', args: { name: 'x' } },
    ])
    socket.receive({ type: 'result', id: 1, envelope: { ok: true, value: undefined } })
    await expect(result).resolves.toEqual({ ok: true, value: undefined })
    socket.receive({
      type: 'event',
      event: 'connection:state',
      payload: { status: 'disconnected' },
    })
    off()
    socket.receive({
      type: 'event',
      event: 'connection:state',
      payload: { status: 'disconnected' },
    })
    expect(states).toEqual([{ status: 'disconnected' }])
  })

  it('fails pending and later requests when the process goes away, and says so', async () => {
    const bridge = webBridge(page)
    const socket = FakeSocket.last
    const seen: (ConnectionState | HostStatus)[] = []
    bridge.on('connection:state', (s) => seen.push(s))
    bridge.on('host:status', (s) => seen.push(s))
    socket.open()
    const pending = bridge.invoke('buckets:list')
    await flush()
    socket.drop()
    const lost = { ok: false, error: { code: 'TRANSPORT', message: LOST_MESSAGE } }
    await expect(pending).resolves.toEqual(lost)
    await expect(bridge.invoke('app:info')).resolves.toEqual(lost)
    expect(seen).toEqual([
      { status: 'disconnected', error: LOST_MESSAGE },
      expect.objectContaining({ running: false, error: LOST_MESSAGE }),
    ])
    // A view that subscribes later learns it too.
    const late = vi.fn()
    bridge.on('connection:state', late)
    await flush()
    expect(late).toHaveBeenCalledWith({ status: 'disconnected', error: LOST_MESSAGE })
  })

  it('tells a socket that never opened (a wrong token) from one that was lost', async () => {
    const bridge = webBridge(page)
    FakeSocket.last.drop()
    await expect(bridge.invoke('app:info')).resolves.toEqual({
      ok: false,
      error: { code: 'TRANSPORT', message: UNREACHABLE_MESSAGE },
    })
  })

  /** A bridge on an open socket; `start` answers its transfers:upload / download request. */
  async function transfersBridge(): Promise<{ bridge: Bridge; socket: FakeSocket }> {
    const bridge = webBridge(page)
    const socket = FakeSocket.last
    socket.open()
    await flush()
    return { bridge, socket }
  }
  const running = (id: string, direction: TransferInfo['direction']): TransferInfo => ({
    ...transfer(id),
    direction,
    state: 'running',
  })

  it('starts uploads over the socket and sends each file only when its transfer asks', async () => {
    const posts: { url: string; init: RequestInit }[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn((url: string, init: RequestInit) => {
        posts.push({ url, init })
        return new Promise<Response>(() => undefined)
      }),
    )
    const { bridge, socket } = await transfersBridge()
    const files = [new File(['x'], 'f 1.txt'), new File(['yy'], 'f 2.txt')]
    const result = bridge.upload('my bucket', files)
    await flush()
    expect(socket.sent.at(-1)).toMatchObject({
      request: 'transfers:upload',
      args: {
        bucket: 'my bucket',
        files: [
          { name: 'f 1.txt', size: 1 },
          { name: 'f 2.txt', size: 2 },
        ],
      },
    })
    // The second transfer asks before the page has learnt its id: it is remembered.
    socket.receive({ type: 'event', event: 'transfer:send', payload: { id: 't2' } })
    const started = [running('t1', 'upload'), running('t2', 'upload')]
    socket.receive({
      type: 'result',
      id: socket.sent.at(-1)!.id,
      envelope: { ok: true, value: started },
    })
    await expect(result).resolves.toEqual({ ok: true, value: started })
    expect(posts.map((p) => [p.url, p.init.body])).toEqual([
      ['/upload?token=s3cret&id=t2', files[1]],
    ])
    socket.receive({ type: 'event', event: 'transfer:send', payload: { id: 't1' } })
    expect(posts.map((p) => p.url)).toEqual([
      '/upload?token=s3cret&id=t2',
      '/upload?token=s3cret&id=t1',
    ])
    // A transfer that ends first (refused, cancelled) stops its request: the bytes are not sent again.
    socket.receive({
      type: 'event',
      event: 'transfer:update',
      payload: { ...started[0]!, state: 'cancelled' },
    })
    expect(posts[1]!.init.signal?.aborted).toBe(true)
    expect(posts[0]!.init.signal?.aborted).toBe(false)
  })

  it('passes a refusal to start on as it came', async () => {
    const { bridge, socket } = await transfersBridge()
    const result = bridge.upload('b', [new File(['x'], 'a')])
    await flush()
    const refusal = {
      ok: false,
      error: { code: 'NOT_CONNECTED', message: 'Not connected' },
    } as const
    socket.receive({ type: 'result', id: socket.sent.at(-1)!.id, envelope: refusal })
    await expect(result).resolves.toEqual(refusal)
  })

  it('downloads each file through the browser when its transfer asks, with the token in the link', async () => {
    const clicked: string[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicked.push(this.getAttribute('href')!)
    })
    const { bridge, socket } = await transfersBridge()
    const result = bridge.download('b', ['a.txt', 'c d.txt'])
    await flush()
    expect(socket.sent.at(-1)).toMatchObject({
      request: 'transfers:download',
      args: { bucket: 'b', names: ['a.txt', 'c d.txt'] },
    })
    const started = [running('d1', 'download'), running('d2', 'download')]
    socket.receive({
      type: 'result',
      id: socket.sent.at(-1)!.id,
      envelope: { ok: true, value: started },
    })
    await expect(result).resolves.toEqual({ ok: true, value: started })
    expect(clicked).toEqual([])
    socket.receive({ type: 'event', event: 'transfer:send', payload: { id: 'd2' } })
    expect(clicked).toEqual(['/download?token=s3cret&id=d2'])
  })
})

describe('electron bridge', () => {
  const preload = () =>
    Object.assign(new FakeBridge(), { pathForFile: (file: File) => `/home/me/${file.name}` })

  it('uploads by local path and downloads into the folder the person chooses', async () => {
    const api = preload()
      .handle('transfers:upload', () => [])
      .handle('transfers:download', () => [])
      .handle('dialog:chooseFolder', () => '/home/me/Downloads')
    const bridge = electronBridge(api)
    await bridge.upload('b', [new File(['x'], 'a.txt'), new File(['y'], 'b.txt')])
    await bridge.download('b', ['a.txt'])
    expect(api.called('transfers:upload')).toEqual([
      { bucket: 'b', paths: ['/home/me/a.txt', '/home/me/b.txt'] },
    ])
    expect(api.called('transfers:download')).toEqual([
      { bucket: 'b', names: ['a.txt'], dir: '/home/me/Downloads' },
    ])
  })

  it('downloads nothing when the folder dialog is cancelled', async () => {
    const api = preload().handle('dialog:chooseFolder', () => null)
    await expect(electronBridge(api).download('b', ['a.txt'])).resolves.toEqual({
      ok: true,
      value: [],
    })
    expect(api.called('transfers:download')).toEqual([])
  })

  it('is the one picked when the preload is there', async () => {
    const api = preload().handle('app:info', () => ({
      version: '9',
      nativeDialogs: true,
      sealedKeys: true,
    }))
    window.bucketshare = api
    try {
      await expect(pickBridge().invoke('app:info')).resolves.toEqual({
        ok: true,
        value: { version: '9', nativeDialogs: true, sealedKeys: true },
      })
      expect(api.called('app:info')).toHaveLength(1)
    } finally {
      delete window.bucketshare
    }
  })
})
