import type { RequestArgs, RequestChannel, RequestResult } from '../../shared/ipc.js'
import { ProtocolError } from '../client/index.js'
import { listFolder } from './folders.js'
import type { Services } from './services.js'

export type Handlers = {
  [C in RequestChannel]: (args: RequestArgs<C>) => Promise<RequestResult<C>> | RequestResult<C>
}

/** The one table implementing the contract; arguments arrive already validated. */
export function createHandlers(s: Services): Handlers {
  const client = (): ReturnType<typeof s.connection.require> => s.connection.require()
  return {
    'app:info': () => ({
      version: s.version,
      nativeDialogs: s.chooseFolder !== undefined,
      sealedKeys: s.host.keepsKeys,
    }),
    'app:history': () => s.history.snapshot(),
    'settings:get': () => s.settings.get(),
    'dialog:chooseFolder': async () => (s.chooseFolder ? s.chooseFolder() : null),
    'dialog:listFolder': ({ path }) => listFolder(path),
    'host:start': (options) => s.host.start(options),
    'host:stop': () => s.host.stop(),
    'host:status': () => s.host.status(),
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
    'transfers:upload': ({ bucket, paths, names }) => s.transfers.upload(bucket, paths, names),
    'transfers:download': ({ bucket, names, dir, folders }) =>
      s.transfers.download(bucket, names, dir, folders),
    'transfers:cancel': ({ id }) => s.transfers.cancel(id),
    'discovery:start': () => s.discovery.start(),
    'discovery:stop': () => s.discovery.stop(),
    'discovery:state': () => s.discovery.state(),
  }
}
