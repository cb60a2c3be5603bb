import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { BUSY_INTERVAL_MS, POLL_MS, TRAILING_MS } from '../../../shared/refresh.js'
import { bridge } from '../bridge/index.js'
import { useBucketsStore } from './buckets.js'
import { useConnectionStore } from './connection.js'
import { useTransfersStore } from './transfers.js'

/**
 * The one refresh path: every reason to list again (a change signalled by the peer, a finished
 * upload, a person's action, the refresh button) marks the listings dirty, and one refresh at a
 * time lists the buckets and the open bucket's files. Requests that arrive while one runs make
 * exactly one more. The peer's `changes` version is asked for every POLL_MS while the window is
 * visible, so other clients' changes show within about a second.
 */
export const useRefreshStore = defineStore('refresh', () => {
  const buckets = useBucketsStore()
  const connection = useConnectionStore()
  const transfers = useTransfersStore()
  /** Listings may be out of date and a refresh is due. */
  const dirty = ref(false)
  /** A refresh is listing now. */
  const running = ref(false)
  /** The peer's folder version the listings on screen were made at (null: not known yet). */
  const version = ref<string | null>(null)
  /** False once the peer answered that it has no `changes` (an older server): no polling. */
  const signalled = ref(true)
  /** Refreshes made since the page loaded. */
  const count = ref(0)
  /** When the listings became dirty (the first request since the last refresh). */
  const pendingSince = ref<number | null>(null)
  /** When the last refresh started. */
  const lastRun = ref(0)
  /** The one planned refresh; a handle, not state. */
  let timer: ReturnType<typeof setTimeout> | undefined
  /** Callers of now() waiting for the next refresh to finish: callbacks, not state. */
  let waiting: (() => void)[] = []

  /** Marks the listings dirty; they are made once requests pause for `delay`. */
  function request(delay = TRAILING_MS): void {
    plan(delay)
  }

  /** Lists again as soon as possible (a person's action); resolves once the listings are made. */
  function now(): Promise<void> {
    return new Promise((resolve) => {
      waiting.push(resolve)
      plan(0)
    })
  }

  /**
   * (Re)sets the one timer. Requests postpone the refresh until they pause for `delay` (many
   * uploads finishing one after another make one listing), but never beyond BUSY_INTERVAL_MS
   * after the first of them, so progress shows; while transfers run, refreshes also keep that
   * interval between them. A person waiting (now()) is served at once.
   */
  function plan(delay: number): void {
    dirty.value = true
    const t = Date.now()
    pendingSince.value ??= t
    // The refresh in progress plans the next one when it ends.
    if (running.value) return
    let at = Math.min(t + delay, pendingSince.value + BUSY_INTERVAL_MS)
    if (transfers.active > 0) at = Math.max(at, lastRun.value + BUSY_INTERVAL_MS)
    if (waiting.length > 0) at = t
    clearTimeout(timer)
    timer = setTimeout(() => void run(), Math.max(0, at - t))
  }

  async function run(): Promise<void> {
    timer = undefined
    if (!dirty.value || running.value) return
    dirty.value = false
    pendingSince.value = null
    running.value = true
    lastRun.value = Date.now()
    const done = waiting
    waiting = []
    try {
      if (connection.usable) {
        count.value++
        await list()
      }
    } finally {
      running.value = false
      done.forEach((resolve) => resolve())
      if (dirty.value) plan(TRAILING_MS)
    }
  }

  async function list(): Promise<void> {
    // Asked first: a change made while listing then shows as a newer version at the next poll.
    if (signalled.value) {
      const answer = await bridge().invoke('connection:changes')
      if (answer.ok) {
        version.value = answer.value
        if (answer.value === null) signalled.value = false
      }
    }
    await buckets.refresh()
    await buckets.refreshFiles()
  }

  /** Asks the peer whether anything changed since the listings were made. */
  async function poll(): Promise<void> {
    if (!connection.usable || !signalled.value || running.value || dirty.value) return
    if (typeof document !== 'undefined' && document.hidden) return
    const answer = await bridge().invoke('connection:changes')
    if (!answer.ok) return
    if (answer.value === null) signalled.value = false
    else if (answer.value !== version.value) request(0)
  }

  // A new peer, or the access code just given: list from scratch.
  watch(
    () => connection.usable,
    (usable) => {
      version.value = null
      signalled.value = true
      if (usable) request(0)
    },
  )
  // Transfers settled: what waited for them is listed now.
  watch(
    () => transfers.active,
    (active) => {
      if (active === 0 && dirty.value) plan(TRAILING_MS)
    },
  )

  /** Polls while the window is visible; returns the function that stops. */
  function start(): () => void {
    const interval = setInterval(() => void poll(), POLL_MS)
    const onVisible = (): void => {
      if (!document.hidden) void poll()
    }
    document.addEventListener('visibilitychange', onVisible)
    return () => {
      clearInterval(interval)
      clearTimeout(timer)
      document.removeEventListener('visibilitychange', onVisible)
    }
  }

  return {
    dirty,
    running,
    version,
    signalled,
    count,
    pendingSince,
    lastRun,
    request,
    now,
    poll,
    start,
  }
})
