import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { ConsoleEntry } from '../../../shared/ipc.js'
import { bridge } from '../bridge/index.js'
import { useNoticesStore } from './notices.js'

/** Entries kept on screen; older ones scroll away for good, so long sessions stay fast. */
export const MAX_ENTRIES = 2000
const MAX_HISTORY = 200

/** The conversation on the connection: lines typed here and the commands the GUI sent. */
export const useConsoleStore = defineStore('console', () => {
  const notices = useNoticesStore()
  const entries = ref<ConsoleEntry[]>([])
  const history = ref<string[]>([])
  const running = ref(false)
  /** Ids seen, since an entry arrives both as an event and as the answer to console:run. */
  const seen = new Set<number>()

  function add(entry: ConsoleEntry): void {
    if (seen.has(entry.id)) return
    seen.add(entry.id)
    entries.value.push(entry)
    if (entries.value.length > MAX_ENTRIES) {
      for (const old of entries.value.splice(0, entries.value.length - MAX_ENTRIES))
        seen.delete(old.id)
    }
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
  }

  return { entries, history, running, add, run, clear }
})
