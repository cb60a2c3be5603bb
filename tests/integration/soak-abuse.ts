/**
 * The abusers of the soak test, in a process of their own so that the server's descriptors and
 * memory are measured alone: `node --import tsx soak-abuse.ts <port> <milliseconds> <first> <count>`
 * abuses 127.0.0.<first> … for that long, one kind of abuse per address, then exits.
 */
import { randomBytes } from 'node:crypto'
import net from 'node:net'
import tls from 'node:tls'

const [port, ms, first, count] = process.argv.slice(2).map(Number) as [
  number,
  number,
  number,
  number,
]
const until = Date.now() + ms
const pause = (wait: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, wait))

/** A socket from `localAddress`, TLS or bare TCP, whose errors are expected and ignored. */
function open(localAddress: string, secure: boolean): Promise<net.Socket> {
  return new Promise((resolve) => {
    const where = { port, host: '127.0.0.1', localAddress }
    const socket = secure
      ? tls.connect({ ...where, rejectUnauthorized: false }, () => resolve(socket))
      : net.connect(where, () => resolve(socket))
    socket.on('error', () => resolve(socket))
    socket.on('close', () => resolve(socket))
    socket.resume()
  })
}

type Abuse = (from: string) => Promise<void>

/** A megabyte of blank lines, then a command, again and again. */
const blankFloods: Abuse = async (from) => {
  const blanks = Buffer.alloc(256 * 1024, '\n')
  while (Date.now() < until) {
    const s = await open(from, true)
    for (let i = 0; i < 4 && s.writable; i++) s.write(blanks)
    if (s.writable) s.write('init\n')
    await pause(200)
    s.destroy()
  }
}

/** More connections than an address may have, each sending bytes the server never reads. */
const refusedFloods: Abuse = async (from) => {
  const junk = Buffer.alloc(16 * 1024, 'z')
  while (Date.now() < until) {
    const burst = await Promise.all(Array.from({ length: 48 }, () => open(from, false)))
    burst.forEach((s) => s.writable && s.write(junk))
    await pause(300)
    burst.forEach((s) => s.destroy())
  }
}

/** TCP connections to the TLS port that start a handshake and never finish it. */
const halfHandshakes: Abuse = async (from) => {
  while (Date.now() < until) {
    const held = await Promise.all(Array.from({ length: 12 }, () => open(from, false)))
    held.forEach((s) => s.writable && s.write(Buffer.from([0x16, 0x03, 0x01, 0x02])))
    await pause(1_500)
    held.forEach((s) => s.destroy())
  }
}

/** Command lines sent a byte at a time, never finished. */
const slowloris: Abuse = async (from) => {
  const held = await Promise.all(Array.from({ length: 8 }, () => open(from, true)))
  while (Date.now() < until) {
    held.forEach((s) => s.writable && s.write('l'))
    await pause(500)
  }
  held.forEach((s) => s.destroy())
}

/** Wrong access codes, as fast as they can be sent. */
const wrongCodes: Abuse = async (from) => {
  while (Date.now() < until) {
    const s = await open(from, true)
    for (let i = 0; i < 10 && s.writable; i++) {
      s.write(`auth guess-${randomBytes(4).toString('hex')}\n`)
      await pause(20)
    }
    s.destroy()
  }
}

const KINDS = [blankFloods, refusedFloods, halfHandshakes, slowloris, wrongCodes]

await Promise.all(
  Array.from({ length: count }, (_, i) => KINDS[i % KINDS.length]!(`127.0.0.${first + i}`)),
)
process.exit(0)
