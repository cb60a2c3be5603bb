import { describe, expect, it } from 'vitest'
import { CONTENT_SECURITY_POLICY, contentSecurityPolicy } from './csp.js'

describe('the content security policy', () => {
  it('allows our own scripts only, and no framing', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self';")
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'")
    expect(CONTENT_SECURITY_POLICY).not.toContain('ws:')
  })

  it('leaves out of a <meta> what only a header can say, and adds the dev server socket', () => {
    const meta = contentSecurityPolicy({ meta: true, devServer: true })
    expect(meta).not.toContain('frame-ancestors')
    expect(meta).toContain("connect-src 'self' ws:")
    expect(meta.replace(' ws:', '')).toBe(
      CONTENT_SECURITY_POLICY.replace("; frame-ancestors 'none'", ''),
    )
  })
})
