import type { BridgeError } from './ipc.js'
import { codeLabel, isCode } from './protocol/index.js'

/** Figures and failures as people read them, in every interface (app, terminal client). */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB']

/** 1536 → "1.5 KiB"; whole numbers stay whole ("150 KiB"). */
export function humanSize(bytes: number): string {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  const text = unit === 0 || Number.isInteger(value) ? String(value) : value.toFixed(1)
  return `${text} ${UNITS[unit]}`
}

export function humanRate(bytesPerSecond: number): string {
  return `${humanSize(Math.round(bytesPerSecond))}/s`
}

/** A failure as a person reads it: protocol failures lead with their code ("350 BCF — …"). */
export function describeError(error: BridgeError): string {
  return typeof error.code === 'number' && isCode(error.code)
    ? `${codeLabel(error.code)} — ${error.message}`
    : error.message
}
