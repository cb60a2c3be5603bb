import type { Bridge, PreloadApi } from './types.js'

/** The desktop app: requests go through the preload; files are handed over by local path. */
export function electronBridge(api: PreloadApi): Bridge {
  return {
    invoke: (channel, ...args) => api.invoke(channel, ...args),
    on: (event, listener) => api.on(event, listener),
    upload: (bucket, files, names) =>
      api.invoke('transfers:upload', {
        bucket,
        paths: files.map((f) => api.pathForFile(f)),
        ...(names ? { names } : {}),
      }),
    async download(bucket, names, folders) {
      const chosen = await api.invoke('dialog:chooseFolder')
      if (!chosen.ok) return chosen
      if (chosen.value === null) return { ok: true, value: [] }
      return api.invoke('transfers:download', {
        bucket,
        names,
        dir: chosen.value,
        ...(folders?.length ? { folders } : {}),
      })
    },
  }
}
