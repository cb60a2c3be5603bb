import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { AppCore } from '../../../electron/app/index.js'
import type { Secrets } from '../../../electron/app/secrets.js'
import type { EventName, Events } from '../../../shared/ipc.js'
import { freePort } from '../../../bench/free-port.js'

export { freePort }

/** An AppCore with its own settings, a folder to host and a local folder, recording every event. */
export interface AppFixture {
  core: AppCore
  base: string
  /** A folder to host. */
  shared: string
  /** A local folder for files to upload and downloads. */
  local: string
  events: { [E in EventName]: Events[E][] }
  /** Invokes and unwraps: fails the test when the envelope is an error. */
  ok<T = unknown>(request: string, args?: unknown): Promise<T>
  /** Shuts the app down and removes its folders. */
  stop(): Promise<void>
  /** Shuts the app down, keeping its folders for another launch (`appFixture({ base })`). */
  quit(): Promise<void>
}

/** `base`: the folders of an earlier fixture (stopped), as the app finds them at its next launch. */
export async function appFixture(
  options: { secrets?: Secrets; browserBytes?: boolean; base?: string } = {},
): Promise<AppFixture> {
  const { base: again, ...services } = options
  const base =
    again ?? (await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-app-'))))
  const shared = path.join(base, 'shared')
  const local = path.join(base, 'local')
  await Promise.all([fs.mkdir(shared, { recursive: true }), fs.mkdir(local, { recursive: true })])
  const core = new AppCore({
    version: '0.0.0-test',
    settingsDir: path.join(base, 'settings'),
    cwd: local,
    ...services,
  })
  const events = {
    'host:status': [],
    'host:log': [],
    'connection:state': [],
    'console:entry': [],
    'transfer:update': [],
    'discovery:state': [],
    'transfer:send': [],
  } as AppFixture['events']
  for (const name of Object.keys(events) as EventName[])
    core.on(name, (payload) => (events[name] as unknown[]).push(payload))
  return {
    core,
    base,
    shared,
    local,
    events,
    async ok<T>(request: string, args?: unknown): Promise<T> {
      const envelope = await core.invoke(request, args)
      if (!envelope.ok) throw new Error(`${request} failed: ${JSON.stringify(envelope.error)}`)
      return envelope.value as T
    },
    async stop() {
      await core.shutdown()
      await fs.rm(base, { recursive: true, force: true })
    },
    async quit() {
      await core.shutdown()
    },
  }
}

/** Hosts the shared folder on a free loopback port and connects to it. */
export async function hostAndConnect(f: AppFixture): Promise<number> {
  const status = await f.ok<{ addresses: string[] }>('host:start', {
    root: f.shared,
    port: await freePort(),
    exposure: 'loopback',
  })
  const port = Number(status.addresses[0]!.split(':')[1])
  await f.ok('connection:connect', { host: '127.0.0.1', port })
  return port
}
