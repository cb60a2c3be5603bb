import { ref } from 'vue'

/** What to do with an upload whose name is already in the bucket (for a folder: merge into it). */
export type ReplaceChoice = 'replace' | 'keep' | 'skip'

export interface ReplaceRequest {
  name: string
  bucket: string
  /** A file replaces the one there; a folder merges into it, replacing files of the same name. */
  kind: 'file' | 'folder'
  /** Further same-name uploads after this one, for "apply to all". */
  more: number
  resolve: (choice: ReplaceChoice, all: boolean) => void
}

/** The question on screen, if any; ReplaceDialog shows it. */
export const pendingReplace = ref<ReplaceRequest | null>(null)

function ask(question: Omit<ReplaceRequest, 'resolve'>): Promise<[ReplaceChoice, boolean]> {
  return new Promise((resolve) => {
    pendingReplace.value = {
      ...question,
      resolve: (choice, all) => {
        pendingReplace.value = null
        resolve([choice, all])
      },
    }
  })
}

/**
 * `photo.jpg` → `photo (1).jpg`, `photo (2).jpg`, …: the first name not in `taken`. The number goes
 * before the extension of the last part of a path only, and a folder's name has no extension.
 */
export function freeName(
  name: string,
  taken: ReadonlySet<string>,
  kind: 'file' | 'folder' = 'file',
): string {
  const dot = kind === 'file' ? name.lastIndexOf('.') : -1
  const [stem, ext] =
    dot > name.lastIndexOf('/') + 1 ? [name.slice(0, dot), name.slice(dot)] : [name, '']
  for (let n = 1; ; n++) {
    const candidate = `${stem} (${n})${ext}`
    if (!taken.has(candidate)) return candidate
  }
}

/**
 * Decides the name of each upload. One whose name is already in the bucket (or earlier in the
 * same batch) is only sent once the person chose to replace it (merge, for a folder) or keep both
 * (a free name); "skip" leaves it out. A choice may apply to all the remaining same-name ones.
 */
async function planNames<T>(
  items: readonly T[],
  wanted: readonly string[],
  bucket: string,
  existing: Iterable<string>,
  kind: 'file' | 'folder',
): Promise<{ items: T[]; names: string[] }> {
  const taken = new Set(existing)
  const clashes = wanted.filter((name) => taken.has(name)).length
  let seen = 0
  let always: ReplaceChoice | undefined
  const plan = { items: [] as T[], names: [] as string[] }
  for (const [i, item] of items.entries()) {
    let name = wanted[i]!
    if (taken.has(name)) {
      seen++
      let choice = always
      if (!choice) {
        const [chosen, all] = await ask({ name, bucket, kind, more: clashes - seen })
        choice = chosen
        if (all) always = chosen
      }
      if (choice === 'skip') continue
      if (choice === 'keep') name = freeName(name, taken, kind)
    }
    taken.add(name)
    plan.items.push(item)
    plan.names.push(name)
  }
  return plan
}

/** Files to upload, each under the name wanted (a path in the bucket; its own name when not given). */
export async function planUploads(
  files: readonly File[],
  bucket: string,
  existing: Iterable<string>,
  wanted: readonly string[] = files.map((f) => f.name),
): Promise<{ files: File[]; names: string[] }> {
  const { items, names } = await planNames(files, wanted, bucket, existing, 'file')
  return { files: items, names }
}

/** Folders to upload as trees, each under the path wanted, against the folders already there. */
export async function planFolders<T>(
  trees: readonly T[],
  bucket: string,
  existing: Iterable<string>,
  wanted: readonly string[],
): Promise<{ trees: T[]; names: string[] }> {
  const { items, names } = await planNames(trees, wanted, bucket, existing, 'folder')
  return { trees: items, names }
}
