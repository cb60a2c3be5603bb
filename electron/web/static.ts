import { createReadStream } from 'node:fs'
import fs from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import path from 'node:path'
import { CONTENT_SECURITY_POLICY } from '../../shared/csp.js'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}

/** Serves the built renderer; nothing outside `dir` can be reached. */
export async function serveStatic(
  dir: string,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'method not allowed')
  const relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname.slice(1))
  const file = path.resolve(dir, relative)
  if (!file.startsWith(dir + path.sep)) return plain(res, 404, 'not found')
  const stats = await fs.stat(file).catch(() => undefined)
  if (!stats?.isFile()) return plain(res, 404, 'not found')
  res.writeHead(200, {
    'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Content-Length': stats.size,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
  })
  if (req.method === 'HEAD') return void res.end()
  createReadStream(file).pipe(res)
}

export function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' })
  res.end(text)
}
