import { afterEach, describe, expect, it } from 'vitest'
import { BucketClient, streamSource } from '../../../electron/client/index.js'
import {
  AccessGate,
  generateAccessCode,
  GrantTable,
  HOST_WRONG_CODES_PER_MINUTE,
} from '../../../electron/server/index.js'
import { eventually, startTestServer, upload, type TestServer } from './helpers.js'

let t: TestServer
afterEach(() => t?.stop())

describe('access code', () => {
  it('allows only init, help, code_r, quit and auth before the code', async () => {
    t = await startTestServer({ accessCode: 'open sesame' })
    const c = await t.connect()
    expect((await c.command('init')).status).toBe('100 OK')
    expect((await c.command('help')).status).toBe('100 OK')
    expect((await c.command('code_r')).data).toContain('1150 AGF   Access Grant Fails')
    for (const line of ['ls_b', 'create_b x', 'ls_f', 'delete_b x', 'delete_f x y', 'download x y'])
      expect(await c.command(line)).toEqual({
        data: [],
        status: '1150 AGF access code required: auth <access code>',
      })
    // A refused upload reads no bytes: the next line is a command again.
    expect(await upload(c, 'x', 'y', 'abc')).toMatchObject({
      status: '1150 AGF access code required: auth <access code>',
    })
    expect(await c.command('auth "wrong code"')).toEqual({
      data: [],
      status: '1150 AGF wrong access code',
    })
    expect(await c.command('auth "open sesame"')).toEqual({ data: [], status: '1100 AGS' })
    expect(await c.command('create_b x')).toEqual({ data: [], status: '300 BCS' })
    expect(t.logs.some((l) => l.includes('access refused: wrong access code'))).toBe(true)
  })

  it('never writes a code, right or wrong, to the log', async () => {
    t = await startTestServer({ accessCode: 'open sesame' })
    const c = await t.connect()
    await c.command('auth "a wrong guess"')
    await c.command('auth "open sesame" extra')
    await c.command('auth "open sesame"')
    expect(t.logs.filter((l) => l.includes('auth ***'))).toHaveLength(3)
    expect(t.logs.join('\n')).not.toMatch(/sesame|guess/)
  })

  it.each([
    ['an unterminated quote', 'auth "hostile-Code-4711', 'auth ***'],
    ['another case', 'AUTH hostile-Code-4711', 'AUTH ***'],
    ['a quoted verb', '"Auth" hostile-Code-4711', 'Auth ***'],
    ['leading blanks and no space after', ' \tauth"hostile-Code-4711"', 'auth ***'],
    ['a no-break space', 'auth\u00a0hostile-Code-4711', 'auth ***'],
  ])('masks a malformed auth line (%s) in the log', async (_name, line, shown) => {
    t = await startTestServer({ accessCode: 'hostile-Code-4711' })
    const c = await t.connect()
    expect((await c.command(line)).status).toMatch(/^(400 BCMD|1150 AGF) /)
    expect(t.logs.join('\n')).not.toMatch(/4711/)
    expect(t.logs.some((l) => l.includes(`${shown} ->`))).toBe(true)
  })

  it('makes an address wait after five wrong codes, even for the right one', async () => {
    t = await startTestServer({ accessCode: 'right' })
    const c = await t.connect()
    for (let i = 0; i < 5; i++)
      expect((await c.command('auth wrong')).status).toBe('1150 AGF wrong access code')
    const other = await t.connect()
    expect((await other.command('auth right')).status).toMatch(
      /^1150 AGF too many wrong codes; try again in \d+ s$/,
    )
  })

  it('is given by the client library on every connection, transfers included', async () => {
    t = await startTestServer({ accessCode: 'k7wq-3mzp-tr9d' })
    const options = { host: '127.0.0.1', port: t.server.port }
    await expect(BucketClient.connect({ ...options, accessCode: 'nope' })).rejects.toMatchObject({
      code: 1150,
    })
    const client = await BucketClient.connect({ ...options, accessCode: 'k7wq-3mzp-tr9d' })
    await client.createBucket('b')
    const { Readable } = await import('node:stream')
    const result = await client.upload({
      bucket: 'b',
      name: 'f',
      source: streamSource(3, Readable.from([Buffer.from('abc')])),
    })
    expect(result.response.status.code).toBe(700)
    client.close()
  })

  it('generates codes that are hard to guess and easy to read', () => {
    const codes = new Set(Array.from({ length: 100 }, generateAccessCode))
    expect(codes.size).toBe(100)
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/)
  })

  it('lets the wait grow with each failure and forgets it after a success', async () => {
    const grants = await GrantTable.fromCodes([
      { code: 'right', label: 'access code', role: 'full', buckets: 'all' },
    ])
    const gate = new AccessGate(grants)
    for (let i = 0; i < 5; i++) await gate.check('1.2.3.4', 'wrong', 0)
    expect(await gate.check('1.2.3.4', 'right', 500)).toEqual({
      ok: false,
      reason: 'too many wrong codes; try again in 1 s',
    })
    expect(await gate.check('1.2.3.4', 'right', 1_000)).toMatchObject({ ok: true })
    expect(await gate.check('5.6.7.8', 'right', 0)).toMatchObject({
      ok: true,
      grant: { label: 'access code', role: 'full' },
    })
  })
})

describe('guessing the code from many addresses', () => {
  it('costs everyone a wait once the host-wide budget is spent, never those with the code', async () => {
    t = await startTestServer({ accessCode: 'right' })
    // Someone with the code, in before the flood, and their address.
    const insider = await t.connect({ localAddress: '127.0.0.20' })
    expect((await insider.command('auth right')).status).toBe('1100 AGS')
    // 16 addresses, 4 wrong codes each: under the per-address limit, over the host's.
    const guessers = await Promise.all(
      Array.from({ length: 16 }, (_, i) => t.connect({ localAddress: `127.0.0.${i + 2}` })),
    )
    const answers: string[] = []
    for (let round = 0; round < 4; round++)
      for (const g of guessers) answers.push((await g.command(`auth guess-${round}`)).status)
    const wrong = answers.filter((a) => a === '1150 AGF wrong access code')
    expect(wrong).toHaveLength(HOST_WRONG_CODES_PER_MINUTE)
    expect(answers.slice(HOST_WRONG_CODES_PER_MINUTE)).toEqual(
      Array.from({ length: 64 - HOST_WRONG_CODES_PER_MINUTE }, () =>
        expect.stringMatching(/^1150 AGF too many wrong codes on this host; try again in \d+ s$/),
      ),
    )
    // A newcomer waits too, even with the right code…
    const newcomer = await t.connect({ localAddress: '127.0.0.30' })
    expect((await newcomer.command('auth right')).status).toMatch(/on this host; try again/)
    // …while a session in keeps working and its address may open more connections.
    expect((await insider.command('ls_b')).status).toBe('500 BLS')
    const transfer = await t.connect({ localAddress: '127.0.0.20' })
    expect((await transfer.command('auth right')).status).toBe('1100 AGS')
  })

  it('lets the host-wide wait end a minute after the budget was spent', async () => {
    const gate = new AccessGate(await grantsFor('right'))
    for (let i = 0; i < HOST_WRONG_CODES_PER_MINUTE; i++)
      await gate.check(`10.0.0.${i}`, 'wrong', 1_000)
    expect(await gate.check('10.0.1.1', 'right', 30_000)).toEqual({
      ok: false,
      reason: 'too many wrong codes on this host; try again in 31 s',
    })
    expect(await gate.check('10.0.1.1', 'right', 61_000)).toMatchObject({ ok: true })
  })

  it('counts attempts made at once before comparing them', async () => {
    const gate = new AccessGate(await grantsFor('right'))
    // Each comparison is slow (scrypt): all these are in flight together.
    const checks = await Promise.all(
      Array.from({ length: 40 }, (_, i) => gate.check(`10.0.0.${i}`, 'wrong', 1_000)),
    )
    expect(checks.filter((c) => !c.ok && c.reason === 'wrong access code')).toHaveLength(
      HOST_WRONG_CODES_PER_MINUTE,
    )
  })

  it('forgets old records, and never keeps more than it can afford', async () => {
    const gate = new AccessGate(await grantsFor('right'), 20)
    // A wrong code every 3 s, each from another address: within the host's budget.
    for (let i = 0; i < 30; i++) await gate.check(`fd00::${i}`, 'wrong', i * 3_000)
    expect(gate.tracked).toBe(20)
    // Two hours later, with no more guesses, the records are gone at the next check.
    await gate.check('10.9.9.9', 'right', 2 * 3_600_000)
    expect(gate.tracked).toBe(1)
    // Addresses that gave the right code are remembered too, up to the bound.
    for (let i = 0; i < 30; i++) await gate.check(`fd01::${i}`, 'right', 3 * 3_600_000)
    expect(gate.tracked).toBe(20)
  })
})

function grantsFor(code: string): Promise<GrantTable> {
  return GrantTable.fromCodes([{ code, label: 'access code', role: 'full', buckets: 'all' }])
}

describe('read-only host', () => {
  it('lists and downloads, and refuses every change with its command code', async () => {
    t = await startTestServer({ readOnly: true })
    const c = await t.connect()
    expect((await c.command('ls_b')).status).toBe('500 BLS')
    const reason = 'the host shares this folder read-only'
    expect((await c.command('create_b x')).status).toBe(`350 BCF ${reason}`)
    expect((await c.command('delete_b x')).status).toBe(`650 BDF ${reason}`)
    expect((await c.command('delete_f x y')).status).toBe(`1050 FDF ${reason}`)
    expect((await upload(c, 'x', 'y', 'abc')).status).toBe(`750 FUTBF ${reason}`)
    expect((await c.command('ls_f')).status).toBe('800 FLS')
  })
})

describe('limits', () => {
  it('refuses connections beyond the limit per address, and serves the others', async () => {
    t = await startTestServer({ maxConnectionsPerAddress: 2 })
    const [a, b] = [await t.connect(), await t.connect()]
    const third = await t.connect()
    expect(await third.line()).toBe(
      '1450 CAF too many connections from your address; try again later',
    )
    await third.closed
    expect((await a.command('ls_b')).status).toBe('500 BLS')
    expect((await b.command('ls_b')).status).toBe('500 BLS')
  })

  it('closes a connection that sends an over-long line and never ends it', async () => {
    t = await startTestServer({ lineTimeoutMs: 300 })
    const c = await t.connect()
    // Past the line limit the bytes are dropped as they come; the clock still runs.
    const chunk = Buffer.alloc(4096, 'a')
    const timer = setInterval(() => c.socket.writable && c.socket.write(chunk), 20)
    await c.closed
    clearInterval(timer)
    await eventually(() => t.logs.some((l) => l.includes('command line not finished in time')))
  })

  it('closes a connection that starts a line and never ends it', async () => {
    t = await startTestServer({ lineTimeoutMs: 200 })
    const c = await t.connect()
    c.socket.write('ls_')
    await c.closed
    await eventually(() => t.logs.some((l) => l.includes('command line not finished in time')))
  })
})

describe('access code typed in a console', () => {
  it('is used for the transfer connections too', async () => {
    t = await startTestServer({ accessCode: 'typed' })
    const client = await BucketClient.connect({ host: '127.0.0.1', port: t.server.port })
    expect((await client.send('auth typed')).status.code).toBe(1100)
    await client.createBucket('b')
    const { Readable } = await import('node:stream')
    const result = await client.upload({
      bucket: 'b',
      name: 'f',
      source: streamSource(1, Readable.from([Buffer.from('x')])),
    })
    expect(result.response.status.code).toBe(700)
    client.close()
  })
})
