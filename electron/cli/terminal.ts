/**
 * How the terminal client writes: colours and wrapping on a terminal only (piped output stays one
 * line per line), answers and errors, and a progress bar that fits the window.
 */
import { styleText } from 'node:util'
import { SingleBar } from 'cli-progress'
import wrapAnsi from 'wrap-ansi'
import { humanRate, humanSize } from '../../shared/format.js'
import { codeMeaning, formatStatus, type Status } from '../../shared/protocol/index.js'
import type { ConsoleResult, Progress } from '../client/index.js'

const color = Boolean(process.stdout.isTTY)

export function paint(style: Parameters<typeof styleText>[0], text: string): string {
  return color ? styleText(style, text) : text
}

/**
 * Writes a line to `stream`; on a terminal, wrapped at word boundaries to its width, continuation
 * lines indented like the text after the line's leading `-> ` and spaces.
 */
export function say(text: string, stream: NodeJS.WriteStream = process.stdout): void {
  const width = stream.isTTY ? stream.columns - 1 : 0
  if (width <= 0 || text.length <= width) {
    stream.write(`${text}\n`)
    return
  }
  const prefix = /^(-> )?\s*/.exec(text)![0].slice(0, width >> 1)
  const body = wrapAnsi(text.slice(prefix.length), width - prefix.length, { hard: true })
  const indent = ' '.repeat(prefix.length)
  stream.write(
    `${body
      .split('\n')
      .map((line, i) => (i === 0 ? prefix : indent) + line)
      .join('\n')}\n`,
  )
}

export function statusText(status: Status): string {
  const line = formatStatus(status.code, status.detail)
  return `${paint(status.ok ? 'green' : 'red', line)}  ${paint('dim', `(${codeMeaning(status.code)})`)}`
}

/** A console result: its data lines, then its status (or why none came). */
export function printResult(result: ConsoleResult): void {
  for (const line of result.lines) say(`-> ${line}`)
  if (result.status) say(statusText(result.status))
  else say(paint('red', `error: ${result.error ?? 'no answer'}`), process.stderr)
}

/** The text beside the bar, at its widest: ` 100% | 1023.9 MiB of 1023.9 MiB | 1023.9 MiB/s | 1h59m left`. */
const BAR_TEXT_WIDTH = 64

/**
 * A bar on stderr for a transfer, on a terminal only: it starts with the first report (sent once
 * the server accepted the transfer), fits the window, and is cleared when done so the answer's
 * lines follow the command in order.
 */
export function progressBar(): { onProgress?: (p: Progress) => void; stop(): void } {
  if (!process.stderr.isTTY) return { stop: () => undefined }
  let bar: SingleBar | undefined
  return {
    onProgress: ({ bytes, total, rate }) => {
      bar ??= new SingleBar({
        format: ' {bar} {percentage}% | {done} of {size} | {speed} | {eta_formatted} left',
        barsize: Math.max(10, (process.stderr.columns || 80) - BAR_TEXT_WIDTH),
        hideCursor: true,
        clearOnComplete: true,
        stream: process.stderr,
      })
      const payload = { done: humanSize(bytes), size: humanSize(total), speed: humanRate(rate) }
      if (!bar.isActive) bar.start(total || 1, bytes, payload)
      else bar.update(bytes, payload)
    },
    stop: () => bar?.stop(),
  }
}
