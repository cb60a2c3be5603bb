import type { Peer } from './ipc.js'

/** Peers remembered for the Connect panel. */
export const MAX_RECENT_PEERS = 8

/**
 * The recent peers with `peer` first: it replaces its entry at the same address and, when known by
 * its certificate, its entry at an old address (a peer that moved is still the same peer).
 */
export function withRecentPeer(peers: readonly Peer[], peer: Peer): Peer[] {
  const others = peers.filter(
    (p) =>
      (p.host !== peer.host || p.port !== peer.port) &&
      (!peer.fingerprint || p.fingerprint !== peer.fingerprint),
  )
  return [peer, ...others].slice(0, MAX_RECENT_PEERS)
}
