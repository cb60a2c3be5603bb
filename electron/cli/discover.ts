import { DISCOVERY_BLOCKERS } from '../../shared/discovery.js'
import { shortFingerprint } from '../../shared/fingerprint.js'
import { Browser, type Found, type Searched } from '../discovery/index.js'

const BLOCKERS =
  `Common causes: ${DISCOVERY_BLOCKERS.join('; ')}. Connect by address instead ` +
  '(npm run client -- <address> <port>) or with the invite the host shows.'

/** One line per host: display name, address:port, short fingerprint. */
export function hostLine(host: Found): string {
  const where = `${host.address}:${host.port}`
  return `${host.displayName}  ${where}  ${host.fingerprint ? shortFingerprint(host.fingerprint) : 'plain TCP (no certificate)'}`
}

/** What was tried, in a sentence or two. */
export function searchedText(searched: Searched, seconds: number): string {
  const networks = searched.networks.length
    ? searched.networks
        .map((n) => `${n.name} (${n.address}${n.error ? `: ${n.error}` : ''})`)
        .join(', ')
    : 'none (this computer has no network other than loopback)'
  const heard = searched.othersHeard
    ? `${searched.othersHeard} mDNS answer(s) from other computers were heard, none from a BucketShare host.`
    : 'No mDNS answer from any other computer was heard.'
  return `No BucketShare host found in ${seconds} s. Searched on: ${networks}; ${searched.queries} queries sent. ${heard}`
}

/**
 * `--discover`: prints each host as it is found, for `seconds`; resolves to the exit code
 * (0 when something was found, 1 when nothing was).
 */
export async function discover(seconds: number): Promise<number> {
  const browser = new Browser()
  const printed = new Set<string>()
  browser.on('change', (hosts) => {
    for (const host of hosts) {
      if (printed.has(host.instance)) continue
      printed.add(host.instance)
      console.log(hostLine(host))
    }
  })
  browser.start()
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
  const searched = browser.searched()
  await browser.stop()
  if (printed.size > 0) return 0
  console.error(searchedText(searched, seconds))
  console.error(BLOCKERS)
  return 1
}
