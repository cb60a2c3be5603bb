import { randomBytes, timingSafeEqual } from 'node:crypto'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { EVENT_NAMES } from '../../shared/ipc.js'
import {
  BRIDGE_PATH,
  DOWNLOAD_PATH,
  TOKEN_PARAM,
  UPLOAD_PATH,
  WRITTEN_PATH,
  type BridgeRequestMessage,
  type BridgeServerMessage,
} from '../../shared/web-bridge.js'
import { bridgeErrorOf, type AppCore } from '../app/index.js'
import { LocalFileError } from '../client/index.js'
import { noTokenPage } from './no-token.js'
import { plain, serveStatic } from './static.js'

export interface WebUiOptions {
  core: AppCore
  /** The built renderer (index.html and its assets). */
  staticDir: string
  /** 0 picks a free port. */
  port: number
}

export interface WebUi {
  /** The address to open, token included. */
  url: string
  port: number
  close(): Promise<void>
}

/** Largest bridge message accepted from the page: a tree of 100,000 files with long paths. */
const MAX_MESSAGE_BYTES = 32 * 1024 * 1024

/**
 * Browser mode: serves the renderer and carries the app's contract over a WebSocket, on loopback
 * only. Every request that can do something needs the session token; the WebSocket and uploads
 * must also come from the page's own origin, and the Host header must name loopback (so another
 * site cannot reach it through DNS rebinding).
 */
export async function startWebUi(options: WebUiOptions): Promise<WebUi> {
  const { core } = options
  const staticDir = path.resolve(options.staticDir)
  const token = randomBytes(24).toString('base64url')
  let origins: string[] = []

  const allowedHost = (req: IncomingMessage): boolean =>
    origins.some((o) => o === `http://${req.headers.host ?? ''}`)
  const hasToken = (url: URL): boolean => {
    const given = Buffer.from(url.searchParams.get(TOKEN_PARAM) ?? '')
    const expected = Buffer.from(token)
    return given.length === expected.length && timingSafeEqual(given, expected)
  }
  const sameOrigin = (req: IncomingMessage): boolean => origins.includes(req.headers.origin ?? '')

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (!allowedHost(req)) return plain(res, 421, 'wrong host')
    if (url.pathname === WRITTEN_PATH) {
      const file = treeFile(url)
      if (!hasToken(url) || req.method !== 'POST' || !sameOrigin(req) || file === undefined)
        return plain(res, 403, 'forbidden')
      const known = core.wrote(transferId(url), file, url.searchParams.get('ok') === '1')
      return plain(res, known ? 200 : 404, known ? 'ok' : 'no such file waits')
    }
    if (url.pathname === UPLOAD_PATH || url.pathname === DOWNLOAD_PATH) {
      if (!hasToken(url)) return plain(res, 403, 'forbidden')
      const route = url.pathname === UPLOAD_PATH ? upload : download
      return void route(core, req, res, url, sameOrigin(req)).catch((err: unknown) =>
        reply(res, 500, { ok: false, error: bridgeErrorOf(err) }),
      )
    }
    // The page itself is useless without the token: say so on one page instead.
    if ((url.pathname === '/' || url.pathname === '/index.html') && !hasToken(url))
      return noTokenPage(res, req.method === 'HEAD')
    // Browsers ask for it on their own; the page links the same icon.
    const file = url.pathname === '/favicon.ico' ? '/favicon.svg' : url.pathname
    void serveStatic(staticDir, req, res, file).catch(() => plain(res, 500, 'error'))
  })

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (url.pathname !== BRIDGE_PATH || !allowedHost(req) || !hasToken(url) || !sameOrigin(req)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => bridge(core, ws))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  origins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`]
  return {
    url: `http://127.0.0.1:${port}/?${TOKEN_PARAM}=${token}`,
    port,
    close: async () => {
      for (const ws of wss.clients) ws.terminate()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** One page's bridge: requests in, results and every event out. */
function bridge(core: AppCore, ws: WebSocket): void {
  const send = (message: BridgeServerMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message))
  }
  const unsubscribe = EVENT_NAMES.map((event) =>
    core.on(event, (payload) => send({ type: 'event', event, payload } as BridgeServerMessage)),
  )
  ws.on('close', () => unsubscribe.forEach((off) => off()))
  ws.on('message', (data) => {
    let message: Partial<BridgeRequestMessage>
    try {
      message = JSON.parse(String(data)) as Partial<BridgeRequestMessage>
    } catch {
      return ws.close(1003, 'not JSON')
    }
    if (message.type !== 'invoke' || typeof message.id !== 'number')
      return ws.close(1003, 'bad message')
    const id = message.id
    void core
      .invoke(message.request, message.args)
      .then((envelope) => send({ type: 'result', id, envelope }))
  })
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.destroy()
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(body))
}

/** The browser transfer a request carries the bytes of (see BrowserBytes). */
const transferId = (url: URL): string => url.searchParams.get('id') ?? ''
/** A tree's file number (`file`), when the request names one. */
const treeFile = (url: URL): number | undefined => {
  const raw = url.searchParams.get('file')
  return raw !== null && /^\d{1,9}$/.test(raw) ? Number(raw) : undefined
}

/** Bytes of a request body held before reading from the browser pauses. */
const BODY_BUFFER_BYTES = 1024 * 1024

/**
 * POST: the bytes of a browser upload that asked for them. The answer waits until the body has
 * been read to its end even when the transfer ended first (refused, cancelled): a browser whose
 * request body is cut off sees a reset connection, and sends the whole body again.
 */
async function upload(
  core: AppCore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  sameOrigin: boolean,
): Promise<void> {
  if (req.method !== 'POST' || !sameOrigin) return plain(res, 403, 'forbidden')
  const size = Number(req.headers['content-length'])
  if (!Number.isSafeInteger(size) || size < 0)
    return refuse(req, res, 411, 'the upload needs a Content-Length')
  const body = new PassThrough({ highWaterMark: BODY_BUFFER_BYTES })
  const id = transferId(url)
  const file = treeFile(url)
  const settled = core.handOver(id, { direction: 'upload', size, body }, file)
  if (!settled) return refuse(req, res, 409, 'no upload waits for these bytes')
  // A page that stops sending (closed, or it gave up) ends the transfer instead of stalling it.
  req.once('close', () => {
    if (!req.complete) body.destroy(new LocalFileError('the browser stopped sending the file'))
  })
  req.pipe(body)
  const info = await settled
  req.unpipe(body)
  await drained(req)
  reply(res, 200, info ?? { id, file, state: 'sent' })
}

/** Refuses a request once its body has been read (see `upload`). */
async function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  text: string,
): Promise<void> {
  await drained(req)
  plain(res, status, text)
}

/** Reads and drops what is left of a request body; resolves at its end or when the page left. */
function drained(req: IncomingMessage): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve()
  return new Promise((resolve) => {
    req.once('end', resolve).once('close', resolve)
    req.resume()
  })
}

/** GET: a browser download that asked for its bytes; answered as an attachment. */
async function download(
  core: AppCore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  if (req.method !== 'GET') return plain(res, 405, 'method not allowed')
  const id = transferId(url)
  const settled = core.handOver(
    id,
    {
      direction: 'download',
      start: ({ name, size }) => {
        res.writeHead(200, {
          'Content-Type': 'application/octet-stream',
          'Content-Length': size,
          'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
        })
        return res
      },
    },
    treeFile(url),
  )
  if (!settled) return plain(res, 404, 'no download waits for this request')
  // The person cancelled the download in the browser.
  res.on('close', () => {
    if (!res.writableFinished) core.dropped(id)
  })
  const info = await settled
  if (info && info.state !== 'done' && !res.headersSent) plain(res, 404, info.error ?? info.state)
}
