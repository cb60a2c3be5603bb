import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { verificationString } from '../../shared/fingerprint.js'
import { formatInvite } from '../../shared/invite.js'
import {
  IDLE_DISCOVERY,
  STOPPED_HOST,
  type DiscoveryState,
  type NearbyHost,
} from '../../shared/ipc.js'
import { setBridge } from '../../renderer/src/bridge/index.js'
import ConnectPanel from '../../renderer/src/components/ConnectPanel.vue'
import HostRunning from '../../renderer/src/components/HostRunning.vue'
import { useConnectionStore } from '../../renderer/src/stores/connection.js'
import { useDiscoveryStore } from '../../renderer/src/stores/discovery.js'
import { useHostStore } from '../../renderer/src/stores/host.js'
import { FakeBridge } from './fakeBridge.js'

let bridge: FakeBridge
beforeEach(() => {
  setActivePinia(createPinia())
  bridge = new FakeBridge()
  setBridge(bridge)
})
afterEach(() => vi.useRealTimers())

const FP = 'ab'.repeat(32)
const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0))
const lab: NearbyHost = {
  id: 'Lab [abababab-4567]._bucketshare._tcp.local',
  name: 'Lab',
  address: '10.1.2.3',
  port: 4567,
  fingerprint: FP,
  codeRequired: false,
  protocolVersion: 1,
  via: 'eth0',
  knownAt: null,
  mine: false,
}
const searching = (hosts: NearbyHost[], extra: Partial<DiscoveryState> = {}): DiscoveryState => ({
  ...IDLE_DISCOVERY,
  running: true,
  startedAt: Date.now(),
  hosts,
  networks: [{ name: 'eth0', address: '10.1.2.9' }],
  queries: 3,
  ...extra,
})

describe('the nearby list', () => {
  it('lists hosts found nearby, not our own, and connects to one with one click', async () => {
    bridge.handle('connection:connect', () => ({
      status: 'connected',
      host: '10.1.2.3',
      port: 4567,
      fingerprint: FP,
      firstContact: true,
      needsCode: false,
    }))
    useDiscoveryStore().state = searching([lab, { ...lab, id: 'mine', name: 'Me', mine: true }])
    const w = mount(ConnectPanel)
    await nextTick()
    const items = w.findAll('[data-testid="nearby-host"]')
    expect(items.map((i) => i.text())).toEqual([expect.stringContaining('Lab')])
    expect(items[0]!.text()).toContain('10.1.2.3:4567')
    await items[0]!.trigger('click')
    await flush()
    expect(bridge.called('connection:connect')).toEqual([
      { host: '10.1.2.3', port: 4567, encrypted: true, name: 'Lab' },
    ])
    // First contact: the verification string the host shows too.
    expect(w.get('[data-testid="first-contact-verification"]').text()).toBe(verificationString(FP))
  })

  it('connects to a host that needs a code with one click too; the host then asks for it', async () => {
    bridge.handle('connection:connect', () => ({
      status: 'connected',
      host: '10.1.2.3',
      port: 4567,
      fingerprint: FP,
      firstContact: false,
      needsCode: true,
    }))
    useDiscoveryStore().state = searching([{ ...lab, codeRequired: true }])
    const w = mount(ConnectPanel)
    await nextTick()
    expect(w.get('[data-testid="nearby-host"]').text()).toContain('code needed')
    await w.get('[data-testid="nearby-host"]').trigger('click')
    await flush()
    expect(bridge.called('connection:connect')).toHaveLength(1)
    expect(useConnectionStore().needsCode).toBe(true)
  })

  it('after 10 s with nothing, says what was tried and what commonly blocks it', async () => {
    vi.useFakeTimers()
    bridge.handle('discovery:start', () => searching([], { othersHeard: 0 }))
    const discovery = useDiscoveryStore()
    await discovery.start()
    const w = mount(ConnectPanel)
    await nextTick()
    expect(w.find('[data-testid="discovery-help"]').exists()).toBe(false)
    vi.advanceTimersByTime(10_000)
    await nextTick()
    const help = w.get('[data-testid="discovery-help"]').text()
    expect(help).toContain('Searched on eth0 (10.1.2.9) with 3 queries')
    expect(help).toMatch(/firewall.*client isolation.*VPN/s)
    // Manual entry is right there.
    expect(w.find('[data-testid="connect-host"]').exists()).toBe(true)
    await discovery.stop().catch(() => undefined)
  })

  it('finds a known peer that moved by its certificate', async () => {
    const connection = useConnectionStore()
    connection.recent = [{ host: '10.1.2.200', port: 4567, fingerprint: FP, name: 'Lab' }]
    useDiscoveryStore().state = searching([lab])
    bridge.handle('connection:connect', () => ({ status: 'disconnected' }))
    const w = mount(ConnectPanel)
    await nextTick()
    expect(w.get('[data-testid="recent-peer-moved"]').text()).toBe('· now at 10.1.2.3:4567')
    await w.get('[data-testid="recent-peer"]').trigger('click')
    expect(bridge.called('connection:connect')).toEqual([
      expect.objectContaining({ host: '10.1.2.3', port: 4567, name: 'Lab' }),
    ])
  })
})

describe('invites', () => {
  it('a pasted invite link connects with it', async () => {
    const link = formatInvite({ host: '10.1.2.3', port: 4567, fingerprint: FP, accessCode: 'c0de' })
    bridge.handle('connection:invite', () => ({
      status: 'connected',
      host: '10.1.2.3',
      port: 4567,
      fingerprint: FP,
      firstContact: false,
      needsCode: false,
    }))
    const w = mount(ConnectPanel)
    await w.get('[data-testid="connect-host"]').setValue(link)
    // The invite carries port and code: their fields step aside.
    expect(w.find('[data-testid="connect-port"]').exists()).toBe(false)
    await w.get('form').trigger('submit')
    await flush()
    expect(bridge.called('connection:invite')).toEqual([{ link }])
    expect(useConnectionStore().connected).toBe(true)
    expect(w.find('[data-testid="first-contact"]').exists()).toBe(false)
  })

  it('the host shows its invite as a link with copy, a QR code and the verification string', async () => {
    const invite = formatInvite({ host: '10.1.2.9', port: 4567, fingerprint: FP })
    useHostStore().status = {
      ...STOPPED_HOST,
      running: true,
      exposure: 'network',
      fingerprint: FP,
      displayName: 'Studio',
      announced: true,
      invite,
    }
    const writeText = vi.fn(() => Promise.resolve())
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    const w = mount(HostRunning)
    expect(w.get('[data-testid="host-announced"]').text()).toBe('Announced nearby as Studio')
    expect((w.get('[data-testid="host-invite-link"]').element as HTMLInputElement).value).toBe(
      invite,
    )
    await w.get('[data-testid="host-invite-copy"]').trigger('click')
    expect(writeText).toHaveBeenCalledWith(invite)
    expect(w.get('[data-testid="host-invite-qr"] path').attributes('d')).toMatch(/^M4 4h1v1h-1z/)
    expect(w.get('[data-testid="host-verification"]').text()).toContain(verificationString(FP))
  })
})
