import { ref } from 'vue'

/** What to do with an upload whose name is already in the bucket. */
export type ReplaceChoice = 'replace' | 'keep' | 'skip'

export interface ReplaceRequest {
  name: string
  bucket: string
  /** Further same-name files after this one, for "apply to all". */
  more: number
  resolve: (choice: ReplaceChoice, all: boolean) => void
}

/** The question on screen, if any; ReplaceDialog shows it. */
export const pendingReplace = ref<ReplaceRequest | null>(null)

function ask(name: string, bucket: string, more: number): Promise<[ReplaceChoice, boolean]> {
  return new Promise((resolve) => {
    pendingReplace.value = {
      name,
      bucket,
      more,
      resolve: (choice, all) => {
        pendingReplace.value = null
        resolve([choice, all])
      },
    }
  })
}

/** `photo.jpg` → `photo (1).jpg`, `photo (2).jpg`, …: the first name not in `taken`. */
export function freeName(name: string, taken: ReadonlySet<string>): string {
  const dot = name.lastIndexOf('.')
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, '']
  for (let n = 1; ; n++) {
    const candidate = `${stem} (${n})${ext}`
    if (!taken.has(candidate)) return candidate
  }
}

/**
 * Decides the name of each file to upload. A file whose name is already in the bucket (or earlier
 * in the same batch) is only sent once the person chose to replace it or keep both (a free name);
 * "skip" leaves it out. A choice may apply to all the remaining same-name files.
 */
export async function planUploads(
  files: readonly File[],
  bucket: string,
  existing: Iterable<string>,
  /** The name each file should get (a path in the bucket); its own name when not given. */
  wanted: readonly string[] = files.map((f) => f.name),
): Promise<{ files: File[]; names: string[] }> {
  const taken = new Set(existing)
  const clashes = wanted.filter((name) => taken.has(name)).length
  let seen = 0
  let always: ReplaceChoice | undefined
  const plan = { files: [] as File[], names: [] as string[] }
  for (const [i, file] of files.entries()) {
    let name = wanted[i] ?? file.name
    if (taken.has(name)) {
      seen++
      let choice = always
      if (!choice) {
        const [chosen, all] = await ask(name, bucket, clashes - seen)
        choice = chosen
        if (all) always = chosen
      }
      if (choice === 'skip') continue
      if (choice === 'keep') name = freeName(name, taken)
    }
    taken.add(name)
    plan.files.push(file)
    plan.names.push(name)
  }
  return plan
}
