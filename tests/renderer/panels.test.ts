import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { nextTick, ref } from 'vue'
import { STOPPED_HOST, type HostStatus } from '../../shared/ipc.js'
import { setBridge } from '../../renderer/src/bridge/index.js'
import AppHeader from '../../renderer/src/components/AppHeader.vue'
import AppTabs from '../../renderer/src/components/AppTabs.vue'
import ConfirmDialog from '../../renderer/src/components/ConfirmDialog.vue'
import ConnectPanel from '../../renderer/src/components/ConnectPanel.vue'
import ErrorBanner from '../../renderer/src/components/ErrorBanner.vue'
import GuiTab from '../../renderer/src/components/GuiTab.vue'
import HostPanel from '../../renderer/src/components/HostPanel.vue'
import { confirm } from '../../renderer/src/confirm.js'
import { useConnectionStore } from '../../renderer/src/stores/connection.js'
import { useHostStore } from '../../renderer/src/stores/host.js'
import { useNoticesStore } from '../../renderer/src/stores/notices.js'
import { FakeBridge } from './fakeBridge.js'

let bridge: FakeBridge
beforeEach(() => {
  setActivePinia(createPinia())
  bridge = new FakeBridge()
  setBridge(bridge)
})

const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0))
const hosting: HostStatus = {
  ...STOPPED_HOST,
  running: true,
  root: '/srv/share',
  port: 5000,
  exposure: 'network',
  encrypted: false,
  accessCode: 'kite-lamp-93',
  addresses: ['192.168.1.20:5000', '127.0.0.1:5000'],
  clients: [{ id: 1, remote: '192.168.1.31:50122', connectedAt: 0 }],
}

describe('host panel', () => {
  it('browses with the native dialog in the desktop app, with its own folder browser in a browser', async () => {
    bridge
      .handle('dialog:chooseFolder', () => '/home/me/Native')
      .handle('dialog:listFolder', (args: { path?: string }) =>
        args.path === '/home/me/Shared'
          ? { path: '/home/me/Shared', parent: '/home/me', folders: [] }
          : { path: '/home/me', parent: '/home', folders: ['Music', 'Shared'] },
      )
    const host = useHostStore()
    const w = mount(HostPanel, { attachTo: document.body })
    await w.get('[data-testid="host-browse"]').trigger('click')
    await flush()
    expect(w.get('[data-testid="folder-current"]').text()).toBe('/home/me')
    await w.get('[data-testid="folder-item"][data-name="Shared"]').trigger('click')
    await flush()
    expect(bridge.called('dialog:listFolder').at(-1)).toEqual({ path: '/home/me/Shared' })
    await w.get('[data-testid="folder-choose"]').trigger('click')
    expect(host.folder).toBe('/home/me/Shared')
    expect(w.find('[data-testid="folder-browser"]').exists()).toBe(false)
    expect(bridge.called('dialog:chooseFolder')).toEqual([])
    host.nativeDialogs = true
    await w.get('[data-testid="host-browse"]').trigger('click')
    await flush()
    expect(host.folder).toBe('/home/me/Native')
    w.unmount()
  })

  it('starts on Enter with the network exposure, then shows addresses, clients and log', async () => {
    bridge.handle('host:start', () => hosting)
    const host = useHostStore()
    const w = mount(HostPanel)
    expect(w.get('[data-testid="host-toggle"]').attributes('disabled')).toBeDefined()
    await w.get('[data-testid="host-folder"]').setValue('/srv/share')
    await w.get('[data-testid="host-port"]').setValue('5000')
    await w.get('[data-testid="host-exposure-network"]').setValue(true)
    await w.get('form').trigger('submit')
    await flush()
    expect(bridge.called('host:start')).toEqual([
      expect.objectContaining({ root: '/srv/share', port: 5000, exposure: 'network' }),
    ])
    expect(w.get('[data-testid="host-addresses"]').text()).toContain('192.168.1.20:5000')
    expect(w.get('[data-testid="host-clients"]').text()).toBe('192.168.1.31:50122')
    host.addLog({ time: 0, text: '192.168.1.31:50122 ls_b → 500 BLS' })
    await nextTick()
    expect(w.get('[data-testid="host-log"]').text()).toContain('ls_b → 500 BLS')
    expect(w.get('[data-testid="host-toggle"]').text()).toBe('Stop hosting')
  })

  it('shows the access code while it is known, and says why when only its hash is kept', async () => {
    const host = useHostStore()
    host.status = { ...hosting, codeRequired: true }
    const w = mount(HostPanel)
    expect(w.get('[data-testid="host-access-code"]').text()).toBe('kite-lamp-93')
    host.status = { ...hosting, codeRequired: true, accessCode: null }
    await nextTick()
    expect(w.find('[data-testid="host-access-code"]').exists()).toBe(false)
    expect(w.get('[data-testid="host-code-hidden"]').text()).toContain('kept only as a hash')
    host.status = { ...STOPPED_HOST }
    host.requireCode = true
    host.codeKept = true
    await nextTick()
    expect(w.get('[data-testid="host-code"]').attributes('placeholder')).toBe(
      'the code of the last start when empty',
    )
  })

  it('says once why it could not start, until the next attempt or a change of port', async () => {
    bridge.handle('host:start', () => ({
      ok: false,
      error: {
        code: 'INVALID_ARGUMENT',
        message: 'Cannot listen on 127.0.0.1:5000: the port is already in use',
      },
    }))
    const host = useHostStore()
    host.folder = '/srv/share'
    host.port = 5000
    const w = mount({
      components: { HostPanel, ErrorBanner },
      template: '<ErrorBanner /><HostPanel />',
    })
    await w.get('form').trigger('submit')
    await flush()
    expect(w.findAll('[data-testid="host-error"]')).toHaveLength(1)
    expect(w.get('[data-testid="host-error"]').text()).toContain('the port is already in use')
    expect(w.find('[data-testid="error-banner"]').exists()).toBe(false)
    await w.get('[data-testid="host-port"]').setValue('5001')
    expect(w.find('[data-testid="host-error"]').exists()).toBe(false)
  })

  it('says why it cannot start with port 70000', async () => {
    const host = useHostStore()
    host.folder = '/srv/share'
    const w = mount(HostPanel)
    await w.get('[data-testid="host-port"]').setValue('70000')
    expect(w.get('[data-testid="host-toggle"]').attributes('disabled')).toBeDefined()
    expect(w.get('[data-testid="host-problem"]').text()).toBe(
      'The port must be a whole number from 1 to 65535.',
    )
  })
})

describe('what a host hands to its peers', () => {
  it('has copy buttons for the address, the access code and the fingerprint, never cut mid-group', async () => {
    const copied: string[] = []
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: async (text: string) => void copied.push(text) },
    })
    const host = useHostStore()
    host.status = { ...hosting, encrypted: true, fingerprint: 'ab'.repeat(32) }
    const w = mount(HostPanel)
    for (const what of ['address', 'access code', 'fingerprint'])
      await w.findAll(`button[aria-label^="Copy the ${what}"]`)[0]!.trigger('click')
    await flush()
    expect(copied).toEqual([
      '192.168.1.20:5000',
      'kite-lamp-93',
      'ABAB ABAB ABAB ABAB ABAB ABAB ABAB ABAB',
    ])
    const groups = w.findAll('[data-testid="host-fingerprint"] .group').map((g) => g.text())
    expect(groups).toEqual(Array(8).fill('ABAB'))
    expect(w.text()).toContain('Copied')
  })
})

describe('host panel, S3-compatible storage', () => {
  it('shares an object store: its fields, what keeps it from starting, and the request sent', async () => {
    bridge.handle('host:start', () => ({ ...hosting, root: 's3://team-share/photos' }))
    const host = useHostStore()
    host.sealedKeys = true
    const w = mount(HostPanel)
    await w.get('[data-testid="host-storage-s3"]').setValue(true)
    expect(w.find('[data-testid="host-folder"]').exists()).toBe(false)
    await w.get('[data-testid="host-s3-bucket"]').setValue('Team_Share')
    expect(w.get('[data-testid="host-problem"]').text()).toBe(
      'Name the S3 bucket: 3 to 63 of a-z, 0-9, dots and hyphens.',
    )
    await w.get('[data-testid="host-s3-bucket"]').setValue('team-share')
    await w.get('[data-testid="host-s3-prefix"]').setValue('photos')
    await w.get('[data-testid="host-s3-endpoint"]').setValue('http://10.0.0.9:3900')
    await w.get('[data-testid="host-s3-key-id"]').setValue('AKID')
    expect(w.get('[data-testid="host-problem"]').text()).toBe('Give both keys, or neither.')
    await w.get('[data-testid="host-s3-secret"]').setValue('s3cret')
    await w.get('form').trigger('submit')
    await flush()
    expect(bridge.called('host:start')).toEqual([
      expect.objectContaining({
        root: 's3://team-share/photos',
        s3: {
          bucket: 'team-share',
          prefix: 'photos',
          pathStyle: true,
          endpoint: 'http://10.0.0.9:3900',
          accessKeyId: 'AKID',
          secretAccessKey: 's3cret',
        },
      }),
    ])
    // The keys were handed over to be sealed; the page keeps none.
    expect(host.s3.secretAccessKey).toBe('')
  })

  it('in browser mode says the keys come from the environment, and asks for none', async () => {
    const host = useHostStore()
    host.storage = 's3'
    const w = mount(HostPanel)
    expect(w.find('[data-testid="host-s3-secret"]').exists()).toBe(false)
    expect(w.get('[data-testid="host-s3-env"]').text()).toContain('AWS_ACCESS_KEY_ID')
  })
})

describe('connect panel', () => {
  it('connects to a recent peer in one click and shows a refusal', async () => {
    bridge.handle('connection:connect', () => ({
      status: 'disconnected',
      error: 'Connection refused by nas.local:9000',
    }))
    useConnectionStore().recent = [{ host: 'nas.local', port: 9000 }]
    const w = mount(ConnectPanel)
    await w.get('[data-testid="recent-peer"]').trigger('click')
    await flush()
    expect(bridge.called('connection:connect')).toEqual([
      { host: 'nas.local', port: 9000, encrypted: true },
    ])
    expect(w.get('[data-testid="connect-error"]').text()).toBe(
      'Connection refused by nas.local:9000',
    )
  })

  it('connects to the server this app hosts, the way it is set up', async () => {
    bridge.handle('connection:connect', () => ({ status: 'disconnected' }))
    const w = mount(ConnectPanel)
    expect(w.find('[data-testid="connect-own"]').exists()).toBe(false)
    useHostStore().status = hosting
    await nextTick()
    await w.get('[data-testid="connect-own"]').trigger('click')
    expect(bridge.called('connection:connect')).toEqual([
      { host: '127.0.0.1', port: 5000, encrypted: false, accessCode: 'kite-lamp-93' },
    ])
  })

  it('cannot connect without a host or with a port out of range', async () => {
    const w = mount(ConnectPanel)
    const toggle = w.get('[data-testid="connect-toggle"]')
    expect(toggle.attributes('disabled')).toBeUndefined()
    await w.get('[data-testid="connect-port"]').setValue('70000')
    expect(toggle.attributes('disabled')).toBeDefined()
    await w.get('[data-testid="connect-port"]').setValue('4567')
    await w.get('[data-testid="connect-host"]').setValue('  ')
    expect(toggle.attributes('disabled')).toBeDefined()
  })
})

describe('header and notices', () => {
  it('shows the connection state', async () => {
    const connection = useConnectionStore()
    const w = mount(AppHeader, { props: { narrow: false, sideOpen: true } })
    expect(w.get('[data-testid="connection-status"]').text()).toBe('Not connected')
    connection.state = { status: 'connecting', host: '10.0.0.2', port: 4567 }
    await nextTick()
    expect(w.get('[data-testid="connection-status"]').text()).toBe('Connecting to 10.0.0.2:4567…')
    expect(w.get('[data-testid="connection-status"]').classes()).toContain('pill-connecting')
  })

  it('shows a protocol failure with its code label, and can be dismissed', async () => {
    const notices = useNoticesStore()
    const w = mount(ErrorBanner)
    notices.fail({ code: 650, message: 'Bucket Deletion Fails: no such bucket' })
    await nextTick()
    expect(w.get('[data-testid="error-banner"]').text()).toContain(
      '650 BDF — Bucket Deletion Fails: no such bucket',
    )
    await w.get('button').trigger('click')
    expect(w.find('[data-testid="error-banner"]').exists()).toBe(false)
  })

  it('says how to start when not connected', () => {
    const w = mount(GuiTab)
    expect(w.get('[data-testid="gui-disconnected"]').text()).toContain('Not connected')
    expect(w.find('[data-testid="bucket-create"]').exists()).toBe(false)
  })
})

describe('confirmation dialog', () => {
  it('answers no on Escape and gives the focus back', async () => {
    const w = mount(ConfirmDialog, { attachTo: document.body })
    const before = document.createElement('button')
    document.body.append(before)
    before.focus()
    const answer = confirm('Delete “x”?', 'It will be gone.')
    await nextTick()
    await nextTick()
    expect(document.activeElement?.getAttribute('data-testid')).toBe('confirm-ok')
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))
    await expect(answer).resolves.toBe(false)
    await nextTick()
    expect(w.find('[role="alertdialog"]').exists()).toBe(false)
    expect(document.activeElement).toBe(before)
    before.remove()
    w.unmount()
  })
})

describe('tabs', () => {
  it('switch by click and with the arrow keys', async () => {
    const tab = ref<'gui' | 'console'>('gui')
    const w = mount(AppTabs, {
      props: {
        modelValue: tab.value,
        'onUpdate:modelValue': (v: 'gui' | 'console') => (tab.value = v),
      },
    })
    await w.get('[data-testid="tab-console"]').trigger('click')
    expect(tab.value).toBe('console')
    await w.setProps({ modelValue: tab.value })
    expect(w.get('[data-testid="tab-console"]').attributes('aria-selected')).toBe('true')
    await w.get('[role="tablist"]').trigger('keydown', { key: 'ArrowRight' })
    expect(tab.value).toBe('gui')
  })
})
