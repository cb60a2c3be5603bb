/**
 * Folders a person picks or drops in a browser page, read into trees: each file with its path
 * below the folder, and the folders with nothing in them (a folder picker's file list cannot tell
 * those; a dropped folder's entries can).
 */

/** A local folder as the page holds it: uploaded as one transfer of its tree. */
export interface PickedTree {
  /** The folder's own name. */
  name: string
  /** Its files, by their paths below it (`a/b.txt`). */
  files: { file: File; path: string }[]
  /** Its empty folders, by their paths below it. */
  folders: string[]
}

/**
 * The trees of a folder picker's files (`webkitdirectory`): one per picked folder, named by the
 * first part of each file's `webkitRelativePath`. Files without a relative path are left out.
 */
export function treesOfPicked(files: readonly File[]): PickedTree[] {
  const trees = new Map<string, PickedTree>()
  for (const file of files) {
    const [top, ...rest] = file.webkitRelativePath.split('/')
    if (!top || rest.length === 0) continue
    let tree = trees.get(top)
    if (!tree) trees.set(top, (tree = { name: top, files: [], folders: [] }))
    tree.files.push({ file, path: rest.join('/') })
  }
  return [...trees.values()]
}

/** What was dropped: loose files, and folders read whole. */
export interface Dropped {
  files: File[]
  trees: PickedTree[]
}

/**
 * Reads a drop. The entries must be taken while the drop event runs (the browser forgets them
 * after), so call this synchronously from the handler; reading them may take longer.
 */
export function readDrop(transfer: DataTransfer): Promise<Dropped> {
  const entries = [...(transfer.items ?? [])]
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry())
  // A browser without entries gives the files alone.
  if (entries.length === 0 || entries.some((e) => e === null))
    return Promise.resolve({ files: [...transfer.files], trees: [] })
  return (async () => {
    const dropped: Dropped = { files: [], trees: [] }
    for (const entry of entries as FileSystemEntry[]) {
      if (isFolder(entry)) {
        const tree: PickedTree = { name: entry.name, files: [], folders: [] }
        await readFolder(entry, '', tree)
        dropped.trees.push(tree)
      } else if (isFile(entry)) dropped.files.push(await fileOf(entry))
    }
    return dropped
  })()
}

const isFolder = (e: FileSystemEntry): e is FileSystemDirectoryEntry => e.isDirectory
const isFile = (e: FileSystemEntry): e is FileSystemFileEntry => e.isFile

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject))
}

/** All entries of a folder: a reader gives them in batches (100 in Chromium) until an empty one. */
async function entriesOf(folder: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = folder.createReader()
  const all: FileSystemEntry[] = []
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    )
    if (batch.length === 0) return all
    all.push(...batch)
  }
}

async function readFolder(
  folder: FileSystemDirectoryEntry,
  below: string,
  tree: PickedTree,
): Promise<void> {
  const entries = await entriesOf(folder)
  if (entries.length === 0 && below !== '') tree.folders.push(below)
  for (const entry of entries) {
    const path = below === '' ? entry.name : `${below}/${entry.name}`
    if (isFolder(entry)) await readFolder(entry, path, tree)
    else if (isFile(entry)) tree.files.push({ file: await fileOf(entry), path })
  }
}

/** The chosen folder of a tree download, where the browser can write one (Chromium). */
export interface TreeFolder {
  /** Makes (or opens) the folder at `parts` below the chosen one. */
  folder(parts: string[]): Promise<FileSystemDirectoryHandle>
  /**
   * Writes a file at `parts`, its folders made. It appears only whole: a stream that fails leaves
   * no file (and a file it would have replaced as it was).
   */
  write(parts: string[], body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<void>
}

interface DirectoryPicker {
  showDirectoryPicker?: (options?: {
    id?: string
    mode?: 'read' | 'readwrite'
  }) => Promise<FileSystemDirectoryHandle>
}

/** Whether this browser can write a downloaded folder as a folder (the File System Access API). */
export function canWriteFolders(): boolean {
  return typeof (window as DirectoryPicker).showDirectoryPicker === 'function'
}

/**
 * Asks where to save folders; null when the person cancelled. Must run from a click (it opens a
 * dialog), before anything else is awaited.
 */
export async function chooseTreeFolder(): Promise<TreeFolder | null> {
  let root: FileSystemDirectoryHandle
  try {
    root = await (window as DirectoryPicker).showDirectoryPicker!({
      id: 'bucketshare-downloads',
      mode: 'readwrite',
    })
  } catch (err) {
    if ((err as Error).name === 'AbortError') return null
    throw err
  }
  const folder = async (parts: string[]): Promise<FileSystemDirectoryHandle> => {
    let at = root
    for (const part of parts) at = await at.getDirectoryHandle(part, { create: true })
    return at
  }
  return {
    folder,
    async write(parts, body, signal) {
      const dir = await folder(parts.slice(0, -1))
      const name = parts.at(-1)!
      const existed = await dir.getFileHandle(name).then(
        () => true,
        () => false,
      )
      // Written aside and swapped in on close: an aborted stream leaves the old content.
      const out = await (await dir.getFileHandle(name, { create: true })).createWritable()
      try {
        await body.pipeTo(out, { signal })
      } catch (err) {
        if (!existed) await dir.removeEntry(name).catch(() => undefined)
        throw err
      }
    },
  }
}
