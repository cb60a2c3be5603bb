import { computed, ref, watch, type Ref } from 'vue'
import type { FileEntry } from '../../shared/protocol/index.js'

export type SortKey = 'name' | 'size' | 'modified'

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

/** Files filtered by a case-insensitive substring of their name, then sorted. */
export function visibleFiles(
  files: readonly FileEntry[],
  filter: string,
  key: SortKey,
  ascending: boolean,
): FileEntry[] {
  const needle = filter.trim().toLowerCase()
  const kept = needle ? files.filter((f) => f.name.toLowerCase().includes(needle)) : [...files]
  const sign = ascending ? 1 : -1
  // Equal sizes or times stay in name order whichever way the column is sorted.
  const compare =
    key === 'name'
      ? (a: FileEntry, b: FileEntry) => sign * collator.compare(a.name, b.name)
      : (a: FileEntry, b: FileEntry) => sign * (a[key] - b[key]) || collator.compare(a.name, b.name)
  return kept.sort(compare)
}

/**
 * The file table's view: filter, sort and a selection that behaves like a desktop file manager
 * (click selects one, Ctrl/⌘-click toggles, Shift-click selects a range, Ctrl/⌘-A selects all).
 */
export function useFileView(files: Ref<FileEntry[]>) {
  const filter = ref('')
  const sortKey = ref<SortKey>('name')
  const ascending = ref(true)
  const selected = ref(new Set<string>())
  /** Where a Shift-click range starts. */
  let anchor: number | undefined

  const rows = computed(() =>
    visibleFiles(files.value, filter.value, sortKey.value, ascending.value),
  )

  // Names that are no longer listed cannot stay selected.
  watch(rows, (list) => {
    const names = new Set(list.map((f) => f.name))
    const kept = [...selected.value].filter((n) => names.has(n))
    if (kept.length !== selected.value.size) selected.value = new Set(kept)
  })

  function sortBy(key: SortKey): void {
    if (sortKey.value === key) ascending.value = !ascending.value
    else {
      sortKey.value = key
      ascending.value = key === 'name'
    }
  }

  function click(index: number, modifiers: { toggle: boolean; range: boolean }): void {
    const name = rows.value[index]?.name
    if (name === undefined) return
    if (modifiers.range && anchor !== undefined) {
      const [from, to] = anchor < index ? [anchor, index] : [index, anchor]
      selected.value = new Set(rows.value.slice(from, to + 1).map((f) => f.name))
      return
    }
    const next = modifiers.toggle ? new Set(selected.value) : new Set<string>()
    if (modifiers.toggle && next.has(name)) next.delete(name)
    else next.add(name)
    selected.value = next
    anchor = index
  }

  function selectAll(): void {
    selected.value = new Set(rows.value.map((f) => f.name))
  }

  function clearSelection(): void {
    selected.value = new Set()
    anchor = undefined
  }

  return { filter, sortKey, ascending, selected, rows, sortBy, click, selectAll, clearSelection }
}
