/**
 * The one Content-Security-Policy of the interface, in the Electron window, in the page's own
 * `<meta>` and in browser mode: our own scripts only, no remote content.
 */
const DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
]

/**
 * `devServer`: electron-vite's development server, whose page reloads itself over a WebSocket.
 * `meta`: for index.html's `<meta>` (a page loaded from a file has no headers), where browsers
 * ignore `frame-ancestors` with a warning.
 */
export function contentSecurityPolicy({ devServer = false, meta = false } = {}): string {
  return DIRECTIVES.filter((d) => !meta || !d.startsWith('frame-ancestors'))
    .map((d) => (devServer && d.startsWith('connect-src') ? `${d} ws:` : d))
    .join('; ')
}

/** As a response header. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy()
