import { describe, expect, it } from 'vitest'
import { AppError } from '../../electron/app/errors.js'
import { isConnectionLoss, MAX_RETRIES, retryDelay } from '../../electron/app/retry.js'
import { LocalFileError, ProtocolError, TransportError } from '../../electron/client/index.js'

describe('what the transfer queue tries again by itself', () => {
  it.each([
    [new TransportError('closed', 'closed the connection'), true],
    [new TransportError('refused', 'refused'), true],
    [new TransportError('timeout', 'no answer'), true],
    [new TransportError('unreachable', 'no route'), true],
    [new TransportError('silent', 'hung up'), true],
    [new AppError('NOT_CONNECTED', 'Not connected'), true],
    [new ProtocolError(1450, 'too many connections'), true],
    [new TransportError('cancelled', 'cancelled'), false],
    [new TransportError('integrity', 'sha256 differs'), false],
    [new TransportError('untrusted', 'another certificate'), false],
    [new ProtocolError(750, 'disk full'), false],
    [new LocalFileError('cannot read'), false],
    [new Error('anything else'), false],
  ])('%s: %s', (err, retried) => {
    expect(isConnectionLoss(err)).toBe(retried)
  })

  it('waits longer each time, a minute at most, about four minutes in all', () => {
    const waits = Array.from({ length: MAX_RETRIES }, (_, n) => retryDelay(n + 1))
    expect(waits).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000])
    expect(waits.reduce((a, b) => a + b, 0)).toBeLessThan(5 * 60_000)
  })
})
