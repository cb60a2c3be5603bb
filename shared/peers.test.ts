import { describe, expect, it } from 'vitest'
import { MAX_RECENT_PEERS, withRecentPeer } from './peers.js'

const FP = 'a'.repeat(64)

describe('withRecentPeer', () => {
  it('puts the peer first and drops its old entry at the same address', () => {
    const peers = [
      { host: 'a', port: 1 },
      { host: 'b', port: 2 },
    ]
    expect(withRecentPeer(peers, { host: 'b', port: 2 })).toEqual([
      { host: 'b', port: 2 },
      { host: 'a', port: 1 },
    ])
  })

  it('knows a peer that moved by its certificate', () => {
    const peers = [
      { host: 'old', port: 1, fingerprint: FP },
      { host: 'c', port: 3 },
    ]
    expect(withRecentPeer(peers, { host: 'new', port: 9, fingerprint: FP })).toEqual([
      { host: 'new', port: 9, fingerprint: FP },
      { host: 'c', port: 3 },
    ])
  })

  it(`keeps ${MAX_RECENT_PEERS} at most`, () => {
    let peers: { host: string; port: number }[] = []
    for (let i = 1; i <= 20; i++) peers = withRecentPeer(peers, { host: 'h', port: i })
    expect(peers).toHaveLength(MAX_RECENT_PEERS)
    expect(peers[0]).toEqual({ host: 'h', port: 20 })
  })
})
