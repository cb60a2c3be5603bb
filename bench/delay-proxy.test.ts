import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { delayProxy, type DelayProxy } from './delay-proxy.js'

describe('delayProxy', () => {
  let echo: net.Server | undefined
  let proxy: DelayProxy | undefined
  afterEach(async () => {
    await proxy?.close()
    await new Promise((r) => (echo ? echo.close(r) : r(undefined)))
  })

  it('forwards every byte in order, a round trip taking at least twice the delay', async () => {
    echo = net.createServer((s) => s.pipe(s))
    await new Promise<void>((r) => echo!.listen(0, '127.0.0.1', r))
    proxy = await delayProxy((echo.address() as net.AddressInfo).port, 40)
    const socket = net.connect(proxy.port, '127.0.0.1')
    await new Promise((r) => socket.once('connect', r))
    const sent = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251))
    const start = performance.now()
    let received = Buffer.alloc(0)
    await new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk])
        if (received.length >= sent.length) resolve()
      })
      for (let i = 0; i < sent.length; i += 1000) socket.write(sent.subarray(i, i + 1000))
    })
    expect(performance.now() - start).toBeGreaterThanOrEqual(80)
    expect(received.equals(sent)).toBe(true)
    socket.destroy()
  })
})
