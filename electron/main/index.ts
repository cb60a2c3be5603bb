/**
 * The Electron shell: one secure window, the IPC glue, and the app's lifecycle. Everything the app
 * does lives in electron/app (AppCore), which runs and is tested without Electron.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  powerSaveBlocker,
  safeStorage,
  session,
} from 'electron'
import { EVENT_NAMES, eventChannel, INVOKE_CHANNEL } from '../../shared/channels.js'
import { contentSecurityPolicy } from '../../shared/csp.js'
import { INVITE_SCHEME, isInviteLink } from '../../shared/invite.js'
import type { Envelope, FolderPurpose } from '../../shared/ipc.js'
import { AppCore, type KeepAwake } from '../app/index.js'

const here = path.dirname(fileURLToPath(import.meta.url))

/** The system's folder dialog says what the folder is for. */
const FOLDER_DIALOG_TITLES: Record<FolderPurpose, string> = {
  share: 'Choose the folder to share',
  upload: 'Choose a folder to upload',
  download: 'Choose where to save',
}
/** Set by `electron-vite dev`: the renderer comes from Vite's dev server. */
const devServer = process.env['ELECTRON_RENDERER_URL']

// A data folder of its own when asked (end-to-end tests, portable use); before anything reads it.
if (process.env['BUCKETSHARE_USER_DATA'])
  app.setPath('userData', process.env['BUCKETSHARE_USER_DATA'])

let window: BrowserWindow | undefined
let core: AppCore | undefined

/**
 * Invites (bucketshare://…) open in this app: the system starts it with the link as an argument
 * (Windows, Linux) or sends `open-url` (macOS). One instance only, so a link opened while the app
 * runs reaches the running one (`second-instance`) instead of starting a second.
 */
let pendingInvite = process.argv.find(isInviteLink)
if (!app.requestSingleInstanceLock()) app.exit(0)
// From a source checkout (`npm start`) Electron needs the app's path to be started again.
if (process.defaultApp && process.argv[1])
  app.setAsDefaultProtocolClient(INVITE_SCHEME, process.execPath, [path.resolve(process.argv[1])])
else app.setAsDefaultProtocolClient(INVITE_SCHEME)

function openInvite(link: string): void {
  if (!core) {
    pendingInvite = link
    return
  }
  if (window?.isMinimized()) window.restore()
  window?.focus()
  // Like any request: validated against the contract, and its failure shown as the connection's state.
  void core.invoke('connection:invite', { link })
}

app.on('open-url', (event, link) => {
  event.preventDefault()
  openInvite(link)
})
app.on('second-instance', (_event, argv) => {
  const link = argv.find(isInviteLink)
  if (link) openInvite(link)
  else window?.focus()
})

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'BucketShare',
    autoHideMenuBar: true,
    webPreferences: {
      preload: path.join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
      // A middle click would otherwise open links in a new window, around the handler below.
      disableBlinkFeatures: 'Auxclick',
    },
  })
  win.once('ready-to-show', () => win.show())
  // The window shows our page only: no navigation, no new windows.
  win.webContents.on('will-navigate', (event) => event.preventDefault())
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
  if (devServer) void win.loadURL(devServer)
  else void win.loadFile(path.join(here, '../renderer/index.html'))
  return win
}

/** Requests are answered only for our own window's top frame. */
function fromOurWindow(event: Electron.IpcMainInvokeEvent): boolean {
  return (
    window !== undefined &&
    event.sender === window.webContents &&
    event.senderFrame === window.webContents.mainFrame
  )
}

void app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, allow) => allow(false))
  session.defaultSession.webRequest.onHeadersReceived((details, callback) =>
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [contentSecurityPolicy({ devServer: Boolean(devServer) })],
      },
    }),
  )

  const appCore = new AppCore({
    version: app.getVersion(),
    // An object store's keys are kept sealed by the system's keychain, or not kept at all.
    ...(safeStorage.isEncryptionAvailable()
      ? {
          secrets: {
            seal: (text: string) => safeStorage.encryptString(text).toString('base64'),
            open: (sealed: string) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
          },
        }
      : {}),
    settingsDir: app.getPath('userData'),
    awake: keepAwake(),
    cwd: app.getPath('home'),
    chooseFolder: async (purpose) => {
      const options: Electron.OpenDialogOptions = {
        title: FOLDER_DIALOG_TITLES[purpose],
        properties: ['openDirectory', 'createDirectory'],
      }
      const result = window
        ? await dialog.showOpenDialog(window, options)
        : await dialog.showOpenDialog(options)
      return result.canceled ? null : (result.filePaths[0] ?? null)
    },
  })
  core = appCore
  ipcMain.handle(
    INVOKE_CHANNEL,
    (event, request: unknown, args: unknown): Promise<Envelope<unknown>> => {
      if (!fromOurWindow(event))
        return Promise.resolve({
          ok: false,
          error: { code: 'FORBIDDEN', message: 'not our window' },
        })
      return appCore.invoke(request, args)
    },
  )
  for (const name of EVENT_NAMES)
    appCore.on(name, (payload) => window?.webContents.send(eventChannel(name), payload))

  window = createWindow()
  window.on('closed', () => (window = undefined))
  if (pendingInvite) openInvite(pendingInvite)
  pendingInvite = undefined
})

/** While transfers run the system may dim the screen, but not suspend the app (nor sleep). */
function keepAwake(): KeepAwake {
  let blocker: number | undefined
  return {
    start: () => void (blocker ??= powerSaveBlocker.start('prevent-app-suspension')),
    stop: () => {
      if (blocker !== undefined) powerSaveBlocker.stop(blocker)
      blocker = undefined
    },
  }
}

app.on('window-all-closed', () => app.quit())

// Hosting and transfers stop cleanly before the process exits.
let shuttingDown = false
app.on('before-quit', (event) => {
  if (!core || shuttingDown) return
  event.preventDefault()
  shuttingDown = true
  void core.shutdown().finally(() => app.quit())
})
