/**
 * Keeps the C allocator's memory in step with what the server uses: freed memory goes back to the
 * system a while after connections ended, and large blocks are never kept.
 *
 * Each connection costs native memory (OpenSSL's handshake and record buffers, socket reads),
 * which glibc takes from its heap. Freed, it stays there: in holes below memory still in use,
 * which glibc returns to the system only when asked (`malloc_trim`, which Node does not expose).
 * After a minute of abuse from thousands of connections the heap held 68 MiB instead of 31, and
 * one `malloc_trim` took it to 16 (docs/performance.md). It is called through koffi, a foreign
 * function interface with prebuilt binaries. Elsewhere (not glibc, or koffi missing) nothing is
 * done.
 */
export const TRIM_AFTER_MS = 5_000

/**
 * Blocks this large or larger are mapped on their own and unmapped when freed, and an arena gives
 * back what lies free at its top beyond this. glibc's own thresholds move: once a large block is
 * freed (scrypt's 16 MiB, at each `auth`: grants.ts) it keeps blocks up to 32 MiB and tops up to
 * 64 MiB, and malloc_trim does not shrink the arenas of other threads. The code hasher's thread
 * kept 16 to 34 MiB that way (smaps of the soak's server, 2026-11-30); with these fixed, none.
 */
export const LARGE_BLOCK_BYTES = 4 * 1024 * 1024
/** mallopt's parameters (malloc.h). */
const M_TRIM_THRESHOLD = -1
const M_MMAP_THRESHOLD = -3

/** glibc's malloc_trim(0): found on first use; null where it cannot be had. */
let trim: (() => void) | null | undefined
/** The trim to come, while one is planned. */
let planned: NodeJS.Timeout | undefined

async function trimmer(): Promise<(() => void) | null> {
  if (process.platform !== 'linux') return null
  try {
    const { default: koffi } = await import('koffi')
    // Loading libc.so.6 fails where the C library is not glibc (e.g. musl); so does the lookup.
    const libc = koffi.load('libc.so.6')
    const mallocTrim = libc.func('int malloc_trim(size_t pad)')
    const mallopt = libc.func('int mallopt(int param, int value)')
    mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK_BYTES)
    mallopt(M_TRIM_THRESHOLD, LARGE_BLOCK_BYTES)
    return () => void mallocTrim(0)
  } catch {
    return null
  }
}

/**
 * Finds malloc_trim now and fixes glibc's thresholds (a server calls it as it starts): what loading
 * it costs (1.5 MiB) is then part of the server's memory from the start, not a growth after its
 * first connections.
 */
export async function findTrim(): Promise<boolean> {
  trim ??= await trimmer()
  return trim !== null
}

/** Trims the allocator now; resolves with whether it could (glibc, with koffi). */
export async function trimNow(): Promise<boolean> {
  if (!(await findTrim())) return false
  trim?.()
  return true
}

/**
 * A connection ended: the allocator is trimmed TRIM_AFTER_MS later (then at most once per
 * TRIM_AFTER_MS however many end meanwhile). A trim takes a few milliseconds; the pages it gives
 * back cost a page fault each when used again.
 */
export function connectionEnded(): void {
  if (planned || trim === null) return
  planned = setTimeout(() => {
    void trimNow().then(() => (planned = undefined))
  }, TRIM_AFTER_MS)
  planned.unref()
}
