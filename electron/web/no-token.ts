import type { ServerResponse } from 'node:http'
import { CONTENT_SECURITY_POLICY } from '../../shared/csp.js'

/**
 * What the page shows when it was opened without the session token (or with an old one): the app
 * cannot work from there, so instead of the whole form and its errors, one page that says what to do.
 */
const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="color-scheme" content="light dark" />
    <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
    <title>BucketShare: open the printed address</title>
    <style>
      body { font: 16px/1.5 system-ui, sans-serif; max-width: 36rem; margin: 15vh auto; padding: 0 1.5rem; }
      h1 { font-size: 1.4rem; display: flex; align-items: center; gap: .5rem; }
      code { background: rgb(127 127 127 / 15%); padding: .1rem .35rem; border-radius: 4px; }
    </style>
  </head>
  <body>
    <main data-testid="no-token">
      <h1><img src="/favicon.svg" alt="" width="28" height="28" /> Open the address BucketShare printed</h1>
      <p>
        This page needs the full address that <code>npm run ui</code> (or <code>npm start</code>)
        printed in its terminal, the part after <code>?token=</code> included. Copy it from there
        and open it in this browser.
      </p>
      <p>
        The token keeps other web pages on this computer from using BucketShare. It changes each
        time BucketShare starts, so an address from an earlier start no longer works either.
      </p>
    </main>
  </body>
</html>
`

export function noTokenPage(res: ServerResponse, head: boolean): void {
  res.writeHead(401, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  })
  res.end(head ? undefined : PAGE)
}
