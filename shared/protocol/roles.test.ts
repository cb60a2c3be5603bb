import { describe, expect, it } from 'vitest'
import { describeGrant, parseGrantSpec, reaches, roleAllows, ROLE_NAMES } from './roles.js'

describe('roles', () => {
  it.each([
    ['read', ['list', 'download']],
    ['drop', ['upload']],
    ['write', ['list', 'download', 'upload', 'replace', 'rename']],
    ['full', ['list', 'download', 'upload', 'replace', 'rename', 'create', 'delete', 'trash']],
  ] as const)('%s allows exactly %j', (role, allowed) => {
    const all = ['list', 'download', 'upload', 'replace', 'rename', 'create', 'delete', 'trash']
    for (const p of all)
      expect(roleAllows(role, p as never)).toBe((allowed as readonly string[]).includes(p))
  })

  it('knows four roles', () => {
    expect(ROLE_NAMES).toEqual(['read', 'drop', 'write', 'full'])
  })

  it('reaches every bucket or the listed ones, compared in NFC', () => {
    expect(reaches('all', 'x')).toBe(true)
    expect(reaches(['café'], 'cafe\u0301')).toBe(true)
    expect(reaches(['photos'], 'docs')).toBe(false)
  })

  it('describes a grant for people', () => {
    expect(describeGrant({ role: 'read', buckets: ['photos', 'music'] })).toBe(
      'read on photos, music',
    )
    expect(describeGrant({ role: 'full', buckets: 'all' })).toBe('full on every bucket')
  })
})

describe('--grant "<code>=<role>[:<bucket>,…]"', () => {
  it.each([
    ['k7wq-3mzp=read', { ok: true, code: 'k7wq-3mzp', role: 'read', buckets: 'all' }],
    [
      'secret=drop:homework, week 2',
      { ok: true, code: 'secret', role: 'drop', buckets: ['homework', 'week 2'] },
    ],
    ['a=b=c=full', { ok: true, code: 'a=b=c', role: 'full', buckets: 'all' }],
  ])('reads %j', (text, expected) => {
    expect(parseGrantSpec(text)).toEqual(expected)
  })

  it.each([
    ['nocode', 'expected <code>=<role> or <code>=<role>:<bucket>,…'],
    ['abc=read', 'an access code has at least 4 characters'],
    ['abcd=admin', 'unknown role "admin"; roles: read, drop, write, full'],
    ['abcd=read:a/b', 'bucket name may not contain "/"'],
    ['abcd=read:', 'bucket name is empty'],
  ])('refuses %j: %s', (text, reason) => {
    expect(parseGrantSpec(text)).toEqual({ ok: false, reason })
  })
})
