import { bridge } from '../bridge/index.js'
import { useBucketsStore } from './buckets.js'
import { useConnectionStore } from './connection.js'
import { useConsoleStore } from './console.js'
import { useHostStore } from './host.js'
import { useNoticesStore } from './notices.js'
import { useTransfersStore } from './transfers.js'

/** Console commands after which the Buckets tab lists again. */
const CHANGES = new Set(['auth', 'create_b', 'delete_b', 'upload', 'delete_f'])

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
  const notices = useNoticesStore()

  transfers.onFinished((t) => {
    if (t.direction === 'upload' && t.state === 'done' && t.bucket === buckets.selected)
      void buckets.refreshFiles()
    if (t.direction === 'upload' && t.state === 'done') void buckets.refresh()
  })

  const offs = [
    api.on('connection:state', (state) => {
      const was = connection.connected
      connection.state = state
      if (state.status === 'connected' && !was) void buckets.refresh()
      if (state.status !== 'connected') buckets.clear()
    }),
    api.on('host:status', (status) => (host.status = status)),
    api.on('host:log', (line) => host.addLog(line)),
    api.on('console:entry', (entry) => {
      console.add(entry)
      // A change typed in the Console tab shows in the Buckets tab too.
      const verb = entry.command.trim().split(/\s+/)[0] ?? ''
      if (entry.source === 'console' && entry.status?.ok && CHANGES.has(verb)) {
        if (verb === 'auth') notices.dismiss()
        void buckets.refresh().then(() => buckets.refreshFiles())
      }
    }),
    api.on('transfer:update', (info) => transfers.update(info)),
  ]

  const [info, settings, hostStatus, state] = await Promise.all([
    api.invoke('app:info'),
    api.invoke('settings:get'),
    api.invoke('host:status'),
    api.invoke('connection:state'),
  ])
  if (info.ok) host.nativeDialogs = info.value.nativeDialogs
  if (settings.ok) {
    host.folder = settings.value.lastFolder ?? ''
    host.port = settings.value.lastPort
    host.exposure = settings.value.exposure
    host.encrypted = settings.value.encrypted
    host.accessCode = settings.value.accessCode ?? ''
    host.readOnly = settings.value.readOnly
    connection.recent = settings.value.recentPeers
  }
  if (hostStatus.ok) host.status = hostStatus.value
  if (state.ok) {
    connection.state = state.value
    if (state.value.status === 'connected') void buckets.refresh()
  }
  return () => offs.forEach((off) => off())
}
