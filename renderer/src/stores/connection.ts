import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { ConnectionState, Peer } from '../../../shared/ipc.js'
import { bridge } from '../bridge/index.js'
import { useNoticesStore } from './notices.js'

/** The one connection both tabs use: to a peer, or to the server this app hosts. */
export const useConnectionStore = defineStore('connection', () => {
  const notices = useNoticesStore()
  const state = ref<ConnectionState>({ status: 'disconnected' })
  const host = ref('127.0.0.1')
  const port = ref(4567)
  const recent = ref<Peer[]>([])
  const encrypted = ref(true)
  const accessCode = ref('')

  const connected = computed(() => state.value.status === 'connected')
  const busy = computed(() => state.value.status === 'connecting')
  const label = computed(() => {
    const s = state.value
    if (s.status === 'connected') return `Connected to ${s.host}:${s.port}`
    if (s.status === 'connecting') return `Connecting to ${s.host}:${s.port}…`
    return 'Not connected'
  })

  /** Connects; `trustFingerprint` accepts a changed certificate the person has compared. */
  async function connect(
    peer: Peer = { host: host.value.trim(), port: port.value },
    trustFingerprint?: string,
  ): Promise<void> {
    host.value = peer.host
    port.value = peer.port
    const code = accessCode.value.trim()
    const result = notices.unwrap(
      await bridge().invoke('connection:connect', {
        ...peer,
        encrypted: encrypted.value,
        ...(code ? { accessCode: code } : {}),
        ...(trustFingerprint ? { trustFingerprint } : {}),
      }),
    )
    if (result) state.value = result
    if (result?.status === 'connected') {
      notices.dismiss()
      recent.value = [
        peer,
        ...recent.value.filter((p) => p.host !== peer.host || p.port !== peer.port),
      ].slice(0, 8)
    }
  }

  async function disconnect(): Promise<void> {
    const result = notices.unwrap(await bridge().invoke('connection:disconnect'))
    if (result) state.value = result
  }

  return {
    state,
    host,
    port,
    recent,
    encrypted,
    accessCode,
    connected,
    busy,
    label,
    connect,
    disconnect,
  }
})
