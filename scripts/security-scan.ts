/**
 * `npm run scan`: Electronegativity (Doyensec's scanner for Electron misconfigurations) over the
 * Node side. Fails on any finding of medium severity or above that is not explained below.
 * Its command line is broken with current dependencies, so its runner is called directly.
 */
import Module, { createRequire } from 'node:module'

interface Issue {
  id: string
  severity: { name: string; value: number }
  confidence: { name: string; value: number }
  file: string
  location: { line: number; column: number }
  description: string
}

/**
 * Findings answered by a check run here rather than by a note: it throws when the finding has
 * become a problem, else says what it verified.
 */
const VERIFIED: Record<string, () => Promise<string>> = {
  'PRELOAD_JS_CHECK main/index.ts': verifyPreload,
}

/** Findings checked by hand and why they are not problems. Keep each reason short and true. */
const ACCEPTED: Record<string, string> = {
  'PROTOCOL_HANDLER_JS_CHECK main/index.ts':
    'bucketshare: links only reach parseInvite (strict: address, port, 64-hex fingerprint, code) and then a TLS connection pinned to that fingerprint; nothing is loaded or run from them',
}

const require = createRequire(import.meta.url)
const runner = require.resolve('@doyensec/electronegativity/dist/runner.js')
stayOffline(runner)
const run = require(runner) as (options: object) => Promise<{ issues: Issue[] }>

const { version } = require('electron/package.json') as { version: string }
const { issues } = await run({
  input: 'electron',
  isRelative: true,
  electronVersionOverride: version,
  // It compares the version with Electron's release list, fetched from GitHub: Dependabot and
  // `npm audit` tell us about Electron's security releases instead.
  excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
})
const MEDIUM = 2
let failures = 0
for (const issue of issues) {
  const key = `${issue.id} ${issue.file}`
  const verify = VERIFIED[key]
  const verified = verify ? await verify().catch((err: Error) => err) : undefined
  const answer = typeof verified === 'string' ? verified : ACCEPTED[key]
  const blocking = issue.severity.value >= MEDIUM && answer === undefined
  if (blocking) failures++
  const why = verified instanceof Error ? `check failed: ${verified.message}` : answer
  console.log(
    `${blocking ? 'FAIL' : 'info'} ${issue.id} [${issue.severity.name}/${issue.confidence.name}] ` +
      `${issue.file}:${issue.location.line} ${why ?? issue.description}`,
  )
}
console.log(`Electronegativity: ${issues.length} findings, ${failures} to fix.`)
process.exit(failures > 0 ? 1 : 0)

/**
 * The preload (electron/preload/api.ts, run over a fake ipcRenderer) exposes three functions, and
 * neither a request nor an event outside the contract reaches Electron's IPC.
 */
async function verifyPreload(): Promise<string> {
  const { preloadApi } = await import('../electron/preload/api.js')
  const reached: string[] = []
  const ipc = {
    invoke: (channel: string, name: unknown) => {
      reached.push(`${channel} ${String(name)}`)
      return Promise.resolve({ ok: true, value: null })
    },
    on: (channel: string) => reached.push(`on ${channel}`),
    off: () => undefined,
  }
  const api = preloadApi(ipc, () => '')
  const exposed = Object.keys(api).sort().join(', ')
  if (exposed !== 'invoke, on, pathForFile') throw new Error(`the preload exposes ${exposed}`)
  // What a compromised page could try: the typed API stands in its way only at compile time.
  const untyped = api as unknown as Record<
    'invoke' | 'on',
    (name: string, arg?: unknown) => unknown
  >
  await untyped.invoke('shell:openExternal', {})
  untyped.on('shell:openExternal', () => undefined)
  if (reached.length > 0) throw new Error(`a name outside the contract reached IPC: ${reached[0]}`)
  return 'verified: the preload exposes invoke, on and pathForFile, and passes on only the names of the contract (shared/channels.ts); main validates every request'
}

/**
 * The scanner fetches translations of its messages from the internet on every run (and the
 * release list above). A scan runs offline, in CI and where only loopback may be reached: its
 * HTTP client is replaced by one that fails at once, which it takes as "no connectivity" and goes
 * on in English.
 */
function stayOffline(from: string): void {
  const filename = createRequire(from).resolve('got')
  const offline = (): Promise<never> => Promise.reject(new Error('the scan runs offline'))
  const stub = new Module(filename)
  stub.exports = Object.assign(offline, { head: offline })
  stub.loaded = true
  require.cache[filename] = stub
}
