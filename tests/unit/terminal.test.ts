import { describe, expect, it } from 'vitest'
import { say } from '../../electron/cli/terminal.js'

/** A terminal `columns` wide that keeps what is written. */
function terminal(columns: number): NodeJS.WriteStream & { text: string } {
  const stream = {
    isTTY: true,
    columns,
    text: '',
    write(chunk: string) {
      stream.text += chunk
      return true
    },
  }
  return stream as unknown as NodeJS.WriteStream & { text: string }
}

const HELP =
  '-> upload <name of bucket> <name of file> <size in bytes>     Upload a file to a bucket; a name may be a path (a/b/c.txt), whose folders are made. The server answers "-> ready <size>", then takes exactly <size> raw bytes.'

describe('the terminal client on an 80-column terminal', () => {
  it('wraps long lines between words, continuation lines indented past the arrow', () => {
    const out = terminal(80)
    say(HELP, out)
    const lines = out.text.trimEnd().split('\n')
    expect(lines.length).toBeGreaterThan(2)
    for (const line of lines) expect(line.length).toBeLessThan(80)
    expect(lines[0]).toMatch(/^-> upload /)
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {3}\S/)
    // Every word arrives whole, in order.
    expect(out.text.split(/\s+/).filter(Boolean)).toEqual(HELP.split(/\s+/))
  })

  it('keeps a line as it is when it fits, or when the output is not a terminal', () => {
    const out = terminal(80)
    say('500 BLS', out)
    expect(out.text).toBe('500 BLS\n')
    const piped = Object.assign(terminal(80), { isTTY: false })
    say(HELP, piped)
    expect(piped.text).toBe(`${HELP}\n`)
  })
})
