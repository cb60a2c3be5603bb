/** Discovery words both the terminal client and the app use. */

/** What commonly keeps computers from finding each other, said whenever nothing was found. */
export const DISCOVERY_BLOCKERS = [
  'a firewall dropping mDNS (UDP port 5353) on either computer',
  'Wi-Fi "client isolation" (usual on guest and public networks)',
  'a VPN taking the traffic, or the two computers on different networks',
] as const

/** After this long with nothing found, the Connect panel says what was tried. */
export const DISCOVERY_PATIENCE_MS = 10_000
