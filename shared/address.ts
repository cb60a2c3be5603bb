/** Ports and addresses as every layer (host, client, app, CLIs) writes and reads them. */

/** Where a host listens, and a client connects, unless told otherwise. */
export const DEFAULT_PORT = 4567

/** Ports are 1–65535; only a host about to listen may also be told 0, "any free port". */
export const MIN_PORT = 1
export const MAX_PORT = 65535

export type PortResult = { ok: true; port: number } | { ok: false; reason: string }

/**
 * Reads a port typed by a person. `anyFree`: 0 is accepted and means "pick a free port" (for a
 * server about to listen; a client cannot connect to port 0).
 */
export function parsePort(text: string, { anyFree = false } = {}): PortResult {
  const lowest = anyFree ? 0 : MIN_PORT
  const port = Number(text.trim())
  return /^\d{1,5}$/.test(text.trim()) && port >= lowest && port <= MAX_PORT
    ? { ok: true, port }
    : { ok: false, reason: `a port is a whole number from ${lowest} to ${MAX_PORT}` }
}

/** True for a port one can connect to. */
export function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= MIN_PORT && port <= MAX_PORT
}

/** "host:port", with an IPv6 address in brackets ("[::1]:4567"). */
export function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`
}
