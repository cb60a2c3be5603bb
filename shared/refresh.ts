/**
 * How the app keeps its listings current (renderer/src/stores/refresh.ts), shared with the tests
 * that hold it to these figures.
 */

/** How often the peer's folder version (`changes`) is asked for while the window is visible. */
export const POLL_MS = 1_000
/** Requests this close together make one refresh. */
export const TRAILING_MS = 250
/** While transfers run, listings are made at most this often; the rest waits until they settle. */
export const BUSY_INTERVAL_MS = 2_000
