import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ConnectionState, HostStatus, TransferInfo } from '../../shared/ipc.js'
import type { BridgeRequestMessage, BridgeServerMessage } from '../../shared/web-bridge.js'
import { electronBridge } from '../../renderer/src/bridge/electron.js'
import { pickBridge } from '../../renderer/src/bridge/index.js'
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
      { type: 'invoke', id: 1, channel: 'buckets:create', args: { name: 'x' } },
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

  it('uploads the bytes of each file, at most four at a time', async () => {
    let running = 0
    let most = 0
    const urls: string[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init: RequestInit) => {
        urls.push(url)
        running++
        most = Math.max(most, running)
        await flush()
        running--
        const name = new URL(url, 'http://x').searchParams.get('name')!
        expect(init).toMatchObject({ method: 'POST', body: expect.any(File) })
        return new Response(JSON.stringify(transfer(name)), { status: 200 })
      }),
    )
    const files = Array.from({ length: 10 }, (_, i) => new File(['x'], `f ${i}.txt`))
    const result = await webBridge(page).upload('my bucket', files)
    expect(most).toBe(4)
    expect(urls[0]).toBe('/upload?token=s3cret&bucket=my+bucket&name=f+0.txt')
    expect(result.ok && result.value.map((t) => t.name).sort()).toEqual(files.map((f) => f.name))
  })

  it('reports a refused upload: an error envelope, or a status without one', async () => {
    const refusal = { ok: false, error: { code: 'INVALID_ARGUMENT', message: 'bad name' } }
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify(refusal), { status: 400 })),
    )
    await expect(webBridge(page).upload('b', [new File(['x'], 'a')])).resolves.toEqual(refusal)
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('forbidden', { status: 403 })),
    )
    await expect(webBridge(page).upload('b', [new File(['x'], 'a')])).resolves.toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'Uploading “a” was refused (HTTP 403)' },
    })
  })

  it('downloads each file through the browser, with the token in the link', async () => {
    const clicked: { href: string; download: string }[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicked.push({ href: this.getAttribute('href')!, download: this.download })
    })
    const result = await webBridge(page).download('b', ['a.txt', 'c d.txt'])
    expect(result).toEqual({ ok: true, value: [] })
    expect(clicked).toEqual([
      { href: '/download?token=s3cret&bucket=b&name=a.txt', download: 'a.txt' },
      { href: '/download?token=s3cret&bucket=b&name=c+d.txt', download: 'c d.txt' },
    ])
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
