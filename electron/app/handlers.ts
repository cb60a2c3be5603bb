import { randomUUID } from 'node:crypto'
import path from 'node:path'
import type { RequestArgs, RequestName, RequestResult, TransferInfo } from '../../shared/ipc.js'
import { ProtocolError, type DownloadTarget, type UploadSource } from '../client/index.js'
import type { BrowserBytes } from './browser-bytes.js'
import { AppError } from './errors.js'
import { listFolder } from './folders.js'
import type { Services } from './services.js'

export type Handlers = {
  [C in RequestName]: (args: RequestArgs<C>) => Promise<RequestResult<C>> | RequestResult<C>
}

/** The one table implementing the contract; arguments arrive already validated. */
export function createHandlers(s: Services): Handlers {
  const client = (): ReturnType<typeof s.connection.require> => s.connection.require()
  const browser = (): BrowserBytes => {
    if (!s.browserBytes)
      throw new AppError('UNSUPPORTED', 'File bytes come from a page only in browser mode')
    return s.browserBytes
  }
  const upload = (
    bucket: string,
    name: string,
    source: (id: string) => UploadSource,
  ): TransferInfo => {
    const id = randomUUID()
    return s.transfers.start(
      { direction: 'upload', bucket, name, source: source(id) },
      { id, page: true },
    ).info
  }
  const download = (
    bucket: string,
    name: string,
    target: (id: string) => DownloadTarget,
    size: { size?: number },
  ): TransferInfo => {
    const id = randomUUID()
    return s.transfers.start(
      { direction: 'download', bucket, name, target: target(id), ...size },
      { id, page: true },
    ).info
  }
  /** A folder downloaded as one tree into the folder the page chose. */
  const tree = (bucket: string, name: string): TransferInfo => {
    const bytes = browser()
    const id = randomUUID()
    return s.transfers.start(
      { direction: 'download', bucket, name, into: bytes.sink(id) },
      { id, page: true },
    ).info
  }
  return {
    'app:info': () => ({
      version: s.version,
      nativeDialogs: s.chooseFolder !== undefined,
      sealedKeys: s.host.keepsKeys,
    }),
    'app:history': () => s.history.snapshot(),
    'settings:get': () => s.settings.get(),
    'dialog:chooseFolder': async ({ purpose }) => (s.chooseFolder ? s.chooseFolder(purpose) : null),
    'dialog:listFolder': ({ path }) => listFolder(path),
    'host:start': (options) => s.host.start(options),
    'host:stop': () => s.host.stop(),
    'host:status': () => s.host.status(),
    'host:grants': ({ grants }) => s.host.saveGrants(grants),
    'host:regenerate': ({ id }) => s.host.regenerate(id),
    'host:restore': ({ id }) => s.host.restore(id),
    'host:emptyTrash': ({ ids }) => s.host.emptyTrash(ids),
    'connection:connect': (peer) => s.connection.connect(peer),
    'connection:invite': ({ link }) => s.connection.connectInvite(link),
    'connection:disconnect': () => s.connection.disconnect(),
    'connection:state': () => s.connection.state(),
    'connection:auth': ({ accessCode }) => s.connection.authenticate(accessCode),
    'connection:changes': () => s.connection.changes(),
    'console:run': ({ line }) => s.console.run(line),
    'buckets:list': () => client().listBuckets(),
    'buckets:create': ({ name }) => client().createBucket(name),
    'buckets:delete': ({ name }) => client().deleteBucket(name),
    'files:list': ({ bucket }) => client().listFiles(bucket),
    'files:rename': ({ bucket, from, to }) => client().rename(bucket, from, to),
    'files:mkdir': ({ bucket, folder }) => client().createFolder(bucket, folder),
    'files:delete': async ({ bucket, names }) => {
      const c = client()
      const result: RequestResult<'files:delete'> = { deleted: [], failed: [] }
      for (const name of names) {
        try {
          await c.deleteFile(bucket, name)
          result.deleted.push(name)
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err
          result.failed.push({ name, error: err.detail || err.meaning })
        }
      }
      return result
    },
    'transfers:upload': (args) => {
      if ('paths' in args)
        return args.paths.map((p, i) => {
          const name = args.names?.[i] ?? path.basename(p)
          return s.transfers.start({ direction: 'upload', bucket: args.bucket, name, local: p })
            .info
        })
      if (!('tree' in args))
        return args.files.map((f) =>
          upload(args.bucket, f.name, (id) => browser().source(id, f.name, f.size)),
        )
      const bytes = browser()
      const id = randomUUID()
      const files = args.files.map((f, file) => ({
        path: f.name,
        size: f.size,
        source: bytes.source(id, f.name, f.size, { file, path: f.name }),
      }))
      const { name, folders } = args.tree
      return [
        s.transfers.start(
          { direction: 'upload', bucket: args.bucket, name, files, folders },
          { id, page: true },
        ).info,
      ]
    },
    'transfers:download': ({ bucket, names, dir, folders = [], sizes }) =>
      names.map((name, i) => {
        const folder = folders.includes(name)
        const size = folder || sizes === undefined ? {} : { size: sizes[i]! }
        if (dir === undefined)
          return folder
            ? tree(bucket, name)
            : download(bucket, name, (id) => browser().target(id), size)
        return s.transfers.start({
          direction: 'download',
          bucket,
          name,
          local: dir,
          ...(folder ? { tree: true } : size),
        }).info
      }),
    'transfers:cancel': ({ id }) => s.transfers.cancel(id),
    'transfers:pause': ({ id }) => s.transfers.pause(id),
    'transfers:resume': ({ id }) => s.transfers.resume(id),
    'transfers:retryFailed': () => s.transfers.retryFailed(),
    'discovery:start': () => s.discovery.start(),
    'discovery:stop': () => s.discovery.stop(),
    'discovery:state': () => s.discovery.state(),
  }
}
