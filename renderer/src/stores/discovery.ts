import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { DISCOVERY_PATIENCE_MS } from '../../../shared/discovery.js'
import { IDLE_DISCOVERY, type DiscoveryState, type NearbyHost } from '../../../shared/ipc.js'
import { bridge } from '../bridge/index.js'
import { useNoticesStore } from './notices.js'

/** Hosts found nearby, live, and what was tried when none is. */
export const useDiscoveryStore = defineStore('discovery', () => {
  const notices = useNoticesStore()
  const state = ref<DiscoveryState>(IDLE_DISCOVERY)
  /** The clock the patience is measured with, ticking while searching. */
  const now = ref(Date.now())
  let ticker: ReturnType<typeof setInterval> | undefined

  /** Other computers' hosts (our own is announced too, and only tells that multicast works). */
  const hosts = computed(() => state.value.hosts.filter((h) => !h.mine))
  /** Nothing found after DISCOVERY_PATIENCE_MS, or discovery cannot run: time to explain. */
  const stalled = computed(
    () =>
      state.value.disabled !== undefined ||
      (state.value.running &&
        hosts.value.length === 0 &&
        state.value.startedAt !== null &&
        now.value - state.value.startedAt >= DISCOVERY_PATIENCE_MS),
  )

  /** Starts searching; a failure is said in the panel's explanation, not as an error banner. */
  async function start(): Promise<void> {
    const result = await bridge().invoke('discovery:start')
    state.value = result.ok ? result.value : { ...IDLE_DISCOVERY, disabled: result.error.message }
    clearInterval(ticker)
    ticker = setInterval(() => (now.value = Date.now()), 1_000)
  }

  async function stop(): Promise<void> {
    clearInterval(ticker)
    const result = notices.unwrap(await bridge().invoke('discovery:stop'))
    if (result) state.value = result
  }

  /** Where a peer known by its certificate is now, when it is nearby. */
  function whereNow(fingerprint: string | undefined): NearbyHost | undefined {
    return fingerprint ? hosts.value.find((h) => h.fingerprint === fingerprint) : undefined
  }

  return { state, now, hosts, stalled, start, stop, whereNow }
})
