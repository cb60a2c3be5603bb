import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { ConsoleEntry } from '../../../shared/ipc.js'
import { bridge } from '../bridge/index.js'
import { useNoticesStore } from './notices.js'

/** Entries kept on screen; older ones scroll away for good, so long sessions stay fast. */
export const MAX_ENTRIES = 2000
/** Data lines shown per entry: a listing of 100,000 files is cut. */
export const MAX_SHOWN_LINES = 500
/** Data lines shown in all: a run of huge listings pushes older entries out sooner. */
export const MAX_TOTAL_LINES = 20_000
const MAX_HISTORY = 200
/** The app's own listings kept, for a person who wants to see them. */
export const MAX_HOUSEKEEPING = 200

const shownLines = (entry: ConsoleEntry): number => Math.min(entry.lines.length, MAX_SHOWN_LINES)

/**
 * The conversation on the connection: lines typed here and the commands the GUI sent for a person's
 * action. The app's own listings (`auto`) are kept apart, so they never push real history out, and
 * are shown only on request.
 */
export const useConsoleStore = defineStore('console', () => {
  const notices = useNoticesStore()
  // Entries never change once received; a shallow list avoids proxying every line.
  const entries = shallowRef<ConsoleEntry[]>([])
  const history = ref<string[]>([])
  const running = ref(false)
  /** The app's own listings, newest last. */
  const housekeeping = shallowRef<ConsoleEntry[]>([])
  const showHousekeeping = ref(false)
  /** What the Console shows: a person's commands, with the app's listings folded in on request. */
  const shown = computed(() =>
    showHousekeeping.value
      ? [...entries.value, ...housekeeping.value].sort((a, b) => a.id - b.id)
      : entries.value,
  )
  /** Data lines shown by `entries`, kept as they come and go. */
  const totalLines = ref(0)

  function add(entry: ConsoleEntry): void {
    if (entry.source === 'auto') {
      // Ids only grow: an entry both restored after a reload and sent as an event comes once.
      if (entry.id <= (housekeeping.value.at(-1)?.id ?? 0)) return
      housekeeping.value = [...housekeeping.value, entry].slice(-MAX_HOUSEKEEPING)
      return
    }
    // An entry arrives both as an event and as the answer to console:run; seldom far apart.
    if (entries.value.findLast((e) => e.id === entry.id)) return
    const list = [...entries.value, entry]
    totalLines.value += shownLines(entry)
    let drop = 0
    while (
      list.length - drop > 1 &&
      (list.length - drop > MAX_ENTRIES || totalLines.value > MAX_TOTAL_LINES)
    )
      totalLines.value -= shownLines(list[drop++]!)
    entries.value = drop > 0 ? list.slice(drop) : list
  }

  async function run(line: string): Promise<void> {
    const text = line.trim()
    if (text === '') return
    if (history.value.at(-1) !== text) history.value.push(text)
    if (history.value.length > MAX_HISTORY) history.value.shift()
    running.value = true
    try {
      const entry = notices.unwrap(await bridge().invoke('console:run', { line: text }))
      if (entry) add(entry)
    } finally {
      running.value = false
    }
  }

  function clear(): void {
    entries.value = []
    housekeeping.value = []
    totalLines.value = 0
  }

  return {
    entries,
    history,
    running,
    housekeeping,
    showHousekeeping,
    shown,
    totalLines,
    add,
    run,
    clear,
  }
})
