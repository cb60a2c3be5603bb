/**
 * Gives the memory that the C allocator holds free back to the system, a while after connections
 * ended.
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

/** glibc's malloc_trim(0): found on first use; null where it cannot be had. */
let trim: (() => void) | null | undefined
/** The trim to come, while one is planned. */
let planned: NodeJS.Timeout | undefined

async function trimmer(): Promise<(() => void) | null> {
  if (process.platform !== 'linux') return null
  try {
    const { default: koffi } = await import('koffi')
    // Loading libc.so.6 fails where the C library is not glibc (e.g. musl); so does the lookup.
    const mallocTrim = koffi.load('libc.so.6').func('int malloc_trim(size_t pad)')
    return () => void mallocTrim(0)
  } catch {
    return null
  }
}

/**
 * Finds malloc_trim now (a server calls it as it starts): what loading it costs (1.5 MiB) is then
 * part of the server's memory from the start, not a growth after its first connections.
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
