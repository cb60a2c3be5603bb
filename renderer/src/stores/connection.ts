import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { DEFAULT_PORT } from '../../../shared/address.js'
import { parseInvite } from '../../../shared/invite.js'
import type { ConnectionState, Peer } from '../../../shared/ipc.js'
import { withRecentPeer } from '../../../shared/peers.js'
import { bridge } from '../bridge/index.js'
import { describeError } from '../format.js'
import { useNoticesStore } from './notices.js'

/** The one connection both tabs use: to a peer, or to the server this app hosts. */
export const useConnectionStore = defineStore('connection', () => {
  const notices = useNoticesStore()
  const state = ref<ConnectionState>({ status: 'disconnected' })
  const host = ref('127.0.0.1')
  const port = ref(DEFAULT_PORT)
  const recent = ref<Peer[]>([])
  const encrypted = ref(true)
  const accessCode = ref('')
  /** Why the last access code given in the prompt was refused; cleared by the next try. */
  const codeError = ref<string | null>(null)
  const authenticating = ref(false)

  const connected = computed(() => state.value.status === 'connected')
  const busy = computed(() => state.value.status === 'connecting')
  /** Connected, but the host wants an access code first: nothing can be listed yet. */
  const needsCode = computed(() => state.value.status === 'connected' && state.value.needsCode)
  /** Connected and let in: listings and transfers work. */
  const usable = computed(() => connected.value && !needsCode.value)
  const label = computed(() => {
    const s = state.value
    if (s.status === 'connected')
      return s.needsCode
        ? `Access code needed for ${s.host}:${s.port}`
        : `Connected to ${s.host}:${s.port}`
    if (s.status === 'connecting') return `Connecting to ${s.host}:${s.port}…`
    return 'Not connected'
  })

  /** Takes a state from the Node side; the form shows the peer it is about. */
  function adopt(next: ConnectionState): void {
    state.value = next
    if (next.status !== 'disconnected') {
      host.value = next.host
      port.value = next.port
    }
  }

  /**
   * Connects; `trustFingerprint` accepts a changed certificate the person has compared. A failure
   * is told once, in the Connect panel (the state's error); the attempt clears older messages.
   */
  async function connect(
    peer: Peer = { host: host.value.trim(), port: port.value },
    trustFingerprint?: string,
  ): Promise<void> {
    notices.dismiss()
    codeError.value = null
    host.value = peer.host
    port.value = peer.port
    state.value = { status: 'connecting', ...peer }
    const code = accessCode.value.trim()
    const result = await bridge().invoke('connection:connect', {
      host: peer.host,
      port: peer.port,
      encrypted: encrypted.value,
      ...(code ? { accessCode: code } : {}),
      ...(trustFingerprint ? { trustFingerprint } : {}),
      ...(peer.name ? { name: peer.name } : {}),
    })
    adopt(result.ok ? result.value : { status: 'disconnected', error: describeError(result.error) })
    remember(peer)
  }

  /**
   * Connects with an invite link (address, certificate and code in one): the Node side checks it
   * and says what is wrong with a bad one.
   */
  async function connectInvite(link: string): Promise<void> {
    notices.dismiss()
    codeError.value = null
    const invite = parseInvite(link)
    if (invite.ok) {
      encrypted.value = true
      state.value = { status: 'connecting', host: invite.invite.host, port: invite.invite.port }
    }
    const result = await bridge().invoke('connection:invite', { link })
    adopt(result.ok ? result.value : { status: 'disconnected', error: describeError(result.error) })
    if (invite.ok) remember({ host: invite.invite.host, port: invite.invite.port })
  }

  /** Once connected, the peer comes first among the recent ones, known by its certificate. */
  function remember(peer: Peer): void {
    const s = state.value
    if (s.status !== 'connected') return
    const fingerprint = s.fingerprint ?? undefined
    recent.value = withRecentPeer(recent.value, {
      ...peer,
      ...(fingerprint ? { fingerprint } : {}),
    })
  }

  /** Gives the access code the host asked for; a refusal is shown by the prompt. */
  async function authenticate(code: string): Promise<boolean> {
    codeError.value = null
    authenticating.value = true
    try {
      const result = await bridge().invoke('connection:auth', { accessCode: code })
      if (!result.ok) {
        codeError.value = describeError(result.error)
        return false
      }
      adopt(result.value)
      accessCode.value = code
      return true
    } finally {
      authenticating.value = false
    }
  }

  async function disconnect(): Promise<void> {
    notices.dismiss()
    const result = await bridge().invoke('connection:disconnect')
    if (result.ok) adopt(result.value)
  }

  return {
    state,
    host,
    port,
    recent,
    encrypted,
    accessCode,
    codeError,
    authenticating,
    connected,
    busy,
    needsCode,
    usable,
    label,
    adopt,
    connect,
    connectInvite,
    authenticate,
    disconnect,
  }
})
