import { computed, reactive, ref, shallowRef, watch, type Ref } from 'vue'
import type { Row } from './folders.js'

export type SortKey = 'name' | 'size' | 'modified'

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

/** Rows filtered by a case-insensitive substring of what they show, then sorted, folders first. */
export function visibleFiles(
  files: readonly Row[],
  filter: string,
  key: SortKey,
  ascending: boolean,
): Row[] {
  const needle = filter.trim().toLowerCase()
  const kept = needle ? files.filter((f) => f.label.toLowerCase().includes(needle)) : [...files]
  const sign = ascending ? 1 : -1
  // Equal sizes or times stay in name order whichever way the column is sorted.
  const compare =
    key === 'name'
      ? (a: Row, b: Row) => sign * collator.compare(a.label, b.label)
      : (a: Row, b: Row) => sign * (a[key] - b[key]) || collator.compare(a.label, b.label)
  return kept.sort((a, b) => Number(b.folder) - Number(a.folder) || compare(a, b))
}

/**
 * The file table's view: filter, sort and a selection that behaves like a desktop file manager
 * (click selects one, Ctrl/⌘-click toggles, Shift-click selects a range, Ctrl/⌘-A selects all,
 * arrow keys move and Shift-arrows extend). Anchor and lead are names, not positions, so they
 * survive re-sorting and filtering.
 */
export function useFileView(files: Ref<Row[]>) {
  const filter = ref('')
  const sortKey = ref<SortKey>('name')
  const ascending = ref(true)
  const selected = shallowRef(new Set<string>())
  /** Where a Shift range starts. */
  let anchor: string | undefined
  /** The row the keyboard is on: the last one clicked or moved to. */
  const lead = ref<string | null>(null)

  const rows = computed(() =>
    visibleFiles(files.value, filter.value, sortKey.value, ascending.value),
  )
  const indexOf = (name: string | null | undefined): number =>
    name == null ? -1 : rows.value.findIndex((f) => f.name === name)

  // Names that are no longer shown cannot stay selected.
  watch(rows, (list) => {
    const names = new Set(list.map((f) => f.name))
    const kept = [...selected.value].filter((n) => names.has(n))
    if (kept.length !== selected.value.size) selected.value = new Set(kept)
    if (lead.value !== null && !names.has(lead.value)) lead.value = null
  })

  function sortBy(key: SortKey): void {
    if (sortKey.value === key) ascending.value = !ascending.value
    else {
      sortKey.value = key
      ascending.value = key === 'name'
    }
  }

  /** Selects from the anchor to `index`; false when there is no anchor on screen. */
  function selectRange(index: number): boolean {
    const from = indexOf(anchor)
    if (from < 0) return false
    const [start, end] = from < index ? [from, index] : [index, from]
    selected.value = new Set(rows.value.slice(start, end + 1).map((f) => f.name))
    lead.value = rows.value[index]!.name
    return true
  }

  function click(index: number, modifiers: { toggle: boolean; range: boolean }): void {
    const name = rows.value[index]?.name
    if (name === undefined) return
    if (modifiers.range && selectRange(index)) return
    const next = modifiers.toggle ? new Set(selected.value) : new Set<string>()
    if (modifiers.toggle && next.has(name)) next.delete(name)
    else next.add(name)
    selected.value = next
    anchor = name
    lead.value = name
  }

  /** Moves the lead by `step` rows (±Infinity: to either end); returns the row now leading. */
  function move(step: number, range: boolean): number | undefined {
    const count = rows.value.length
    if (count === 0) return undefined
    const from = indexOf(lead.value)
    const start = from >= 0 ? from : step > 0 ? -1 : count
    const index = Math.min(Math.max(start + step, 0), count - 1)
    click(index, { toggle: false, range })
    return index
  }

  function selectAll(): void {
    selected.value = new Set(rows.value.map((f) => f.name))
  }

  function clearSelection(): void {
    selected.value = new Set()
    anchor = undefined
  }

  return reactive({
    filter,
    sortKey,
    ascending,
    selected,
    lead,
    rows,
    sortBy,
    click,
    move,
    selectAll,
    clearSelection,
  })
}

export type FileView = ReturnType<typeof useFileView>
