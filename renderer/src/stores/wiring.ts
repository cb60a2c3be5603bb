import { verbOf } from '../../../shared/protocol/index.js'
import { bridge } from '../bridge/index.js'
import { useBucketsStore } from './buckets.js'
import { useConnectionStore } from './connection.js'
import { useConsoleStore } from './console.js'
import { useDiscoveryStore } from './discovery.js'
import { useHostStore } from './host.js'
import { useRefreshStore } from './refresh.js'
import { useTransfersStore } from './transfers.js'

/** Console commands after which the Buckets tab lists again. */
const CHANGES = new Set(['create_b', 'delete_b', 'upload', 'delete_f'])

/**
 * Loads the initial state and routes every event of the contract to its store, in one place.
 * Returns the function that unsubscribes.
 */
export async function wireStores(): Promise<() => void> {
  const api = bridge()
  const connection = useConnectionStore()
  const host = useHostStore()
  const buckets = useBucketsStore()
  const transfers = useTransfersStore()
  const console = useConsoleStore()
  const refresh = useRefreshStore()
  const discovery = useDiscoveryStore()

  // Many uploads finishing one after another make one listing, not one each.
  const offFinished = transfers.onFinished((t) => {
    if (t.direction === 'upload' && t.state === 'done') refresh.request()
  })

  // A reload during the session starts from what happened so far, before new events arrive.
  const history = await api.invoke('app:history')
  if (history.ok) {
    history.value.console.forEach(console.add)
    history.value.hostLog.forEach(host.addLog)
    history.value.transfers.forEach(transfers.update)
  }

  const offs = [
    offFinished,
    api.on('connection:state', (state) => {
      connection.adopt(state)
      if (state.status !== 'connected') buckets.clear()
    }),
    api.on('host:status', (status) => (host.status = status)),
    api.on('host:log', (line) => host.addLog(line)),
    api.on('console:entry', (entry) => {
      console.add(entry)
      // A change typed in the Console tab shows in the Buckets tab too.
      if (
        entry.source === 'console' &&
        entry.status?.ok &&
        CHANGES.has(verbOf(entry.command) ?? '')
      )
        refresh.request(0)
    }),
    api.on('transfer:update', (info) => transfers.update(info)),
    api.on('discovery:state', (state) => (discovery.state = state)),
    refresh.start(),
  ]

  const [info, settings, hostStatus, state] = await Promise.all([
    api.invoke('app:info'),
    api.invoke('settings:get'),
    api.invoke('host:status'),
    api.invoke('connection:state'),
  ])
  if (info.ok) {
    host.nativeDialogs = info.value.nativeDialogs
    host.sealedKeys = info.value.sealedKeys
  }
  if (settings.ok) {
    host.folder = settings.value.lastFolder ?? ''
    host.port = settings.value.lastPort
    host.exposure = settings.value.exposure
    host.encrypted = settings.value.encrypted
    host.requireCode = settings.value.requireCode
    host.codeKept = settings.value.accessCodeKept
    host.readOnly = settings.value.readOnly
    host.displayName = settings.value.displayName
    host.storage = settings.value.storage
    const last = settings.value.lastS3
    if (last)
      Object.assign(host.s3, {
        endpoint: last.endpoint ?? '',
        bucket: last.bucket,
        prefix: last.prefix,
        region: last.region ?? '',
        pathStyle: last.pathStyle,
      })
    connection.recent = settings.value.recentPeers
  }
  if (hostStatus.ok) host.status = hostStatus.value
  // The peer connected before a reload, with its own port, not the form's default.
  if (state.ok) connection.adopt(state.value)
  // The Connect panel lists hosts nearby from the start.
  void discovery.start()
  return () => offs.forEach((off) => off())
}
