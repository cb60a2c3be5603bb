import type { PickedTree } from '../picked.js'
import type { Bridge, PreloadApi } from './types.js'

/**
 * The local folder a picked tree came from: a file's path without the parts of its path in the
 * tree (and the tree's own name). Null when the tree has no file to tell.
 */
function localRoot(api: PreloadApi, tree: PickedTree): string | null {
  const first = tree.files[0]
  if (!first) return null
  const local = api.pathForFile(first.file)
  let cut = local.length
  for (let parts = first.path.split('/').length; parts > 0; parts--)
    cut = Math.max(local.lastIndexOf('/', cut - 1), local.lastIndexOf('\\', cut - 1))
  return cut > 0 ? local.slice(0, cut) : null
}

/** The desktop app: requests go through the preload; files are handed over by local path. */
export function electronBridge(api: PreloadApi): Bridge {
  return {
    invoke: (request, ...args) => api.invoke(request, ...args),
    on: (event, listener) => api.on(event, listener),
    upload: (bucket, files, names) =>
      api.invoke('transfers:upload', {
        bucket,
        paths: files.map((f) => api.pathForFile(f)),
        ...(names ? { names } : {}),
      }),
    // The tree is read again from the disk, empty folders included.
    uploadTree: (bucket, name, tree) => {
      const root = localRoot(api, tree)
      if (root === null)
        return Promise.resolve({
          ok: false,
          error: { code: 'LOCAL_FILE', message: `“${tree.name}” has no file to upload` },
        })
      return api.invoke('transfers:upload', { bucket, paths: [root], names: [name] })
    },
    async download(bucket, names, folders, sizes) {
      const chosen = await api.invoke('dialog:chooseFolder', { purpose: 'download' })
      if (!chosen.ok) return chosen
      if (chosen.value === null) return { ok: true, value: [] }
      return api.invoke('transfers:download', {
        bucket,
        names,
        dir: chosen.value,
        ...(folders?.length ? { folders } : {}),
        ...(sizes ? { sizes } : {}),
      })
    },
  }
}
