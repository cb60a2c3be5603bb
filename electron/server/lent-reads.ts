import net from 'node:net'

/**
 * Receives a socket's bytes in one buffer shared by every connection, lent to `onBytes` for the
 * length of the call, instead of in a fresh buffer per read.
 *
 * Node allocates a new buffer for every read of an accepted socket (64 KiB over TCP, one 16 KiB
 * record over TLS), and V8 counts each as external memory: every 64 MB of them started a full
 * collection, so an upload ran with a mark-compact every 40 ms and cost the server a third more
 * CPU (docs/performance.md). Reads happen one at a time on the event loop, each handed over in full
 * before the next, so one buffer serves them all.
 *
 * This is Node's `onread` option, which `net.connect()` and `tls.connect()` take but servers do
 * not; it is set up here the way the socket's constructor does it. Where that is not possible (a
 * runtime without these internals) the bytes come through 'data' events, lent the same way.
 */
export function lendReads(socket: net.Socket, onBytes: (bytes: Buffer) => void): void {
  const hooks = readHooks()
  const handle = (socket as { _handle?: { useUserBuffer?: (b: Uint8Array) => void } })._handle
  if (hooks && typeof handle?.useUserBuffer === 'function') {
    const target = socket as unknown as Record<symbol, unknown>
    target[hooks.buffer] = SHARED
    target[hooks.callback] = (n: number): boolean => {
      onBytes(SHARED.subarray(0, n))
      return true
    }
    target[hooks.generator] = null
    handle.useUserBuffer(SHARED)
  }
  // Bytes a TLS socket decrypted before this, and every byte where the hooks are missing.
  socket.on('data', onBytes)
}

/**
 * What Node reads at a time by itself. Larger reads (256 KiB was tried) made each command line's
 * copy larger too, and the 60 s soak then ended with up to 12 % more memory than it started with.
 */
const SHARED_BYTES = 64 * 1024
const SHARED = Buffer.allocUnsafeSlow(SHARED_BYTES)

interface ReadHooks {
  buffer: symbol
  callback: symbol
  generator: symbol
}

let hooks: ReadHooks | null | undefined

/** The symbols under which a net.Socket keeps its `onread` option, found once. */
function readHooks(): ReadHooks | null {
  if (hooks !== undefined) return hooks
  const probe = new net.Socket()
  const named = new Map(Object.getOwnPropertySymbols(probe).map((s) => [s.description, s]))
  probe.destroy()
  const [buffer, callback, generator] = ['kBuffer', 'kBufferCb', 'kBufferGen'].map((n) =>
    named.get(n),
  )
  hooks = buffer && callback && generator ? { buffer, callback, generator } : null
  return hooks
}
