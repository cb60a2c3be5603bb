import { checkName } from './names.js'

/**
 * Roles of access codes. A host hands out several codes (grants), each with a role and the buckets
 * it reaches; every command names the permission it needs (COMMANDS[verb].needs) and the server
 * checks it in one place.
 */
export const PERMISSIONS = [
  /** See the files of a bucket (ls_f). */
  'list',
  'download',
  /** Add files; without `replace` a same-name upload is stored under a new name. */
  'upload',
  /** Replace an existing file by uploading one of its name (the old one goes to the trash). */
  'replace',
  'rename',
  'create',
  'delete',
  /** List the trash and restore from it. */
  'trash',
] as const

export type Permission = (typeof PERMISSIONS)[number]

/** The reason of every refusal by role or bucket: the same words whatever was refused. */
export const NOT_ALLOWED = 'not allowed for this access code'

export const ROLES = {
  /** List and download. */
  read: ['list', 'download'],
  /** Upload only, never replacing, never seeing the files. */
  drop: ['upload'],
  /** Read, upload (replacing) and rename; no delete. */
  write: ['list', 'download', 'upload', 'replace', 'rename'],
  /** Everything, the trash included. */
  full: PERMISSIONS,
} as const satisfies Record<string, readonly Permission[]>

export type Role = keyof typeof ROLES

export const ROLE_NAMES = Object.keys(ROLES) as Role[]

export function isRole(word: string): word is Role {
  return Object.hasOwn(ROLES, word)
}

export function roleAllows(role: Role, permission: Permission): boolean {
  return (ROLES[role] as readonly Permission[]).includes(permission)
}

/** Whether a role has the permission, or one of the list (a command's `needs`). */
export function roleAllowsAny(role: Role, needs: Permission | readonly Permission[]): boolean {
  return typeof needs === 'string'
    ? roleAllows(role, needs)
    : needs.some((permission) => roleAllows(role, permission))
}

/** Which buckets a grant reaches: every one, or the listed ones (names in NFC). */
export type BucketScope = 'all' | readonly string[]

/** What an access code may do, without the code itself. */
export interface Grant {
  /** Shown in the host's log and trash ("homework", "family"). */
  label: string
  role: Role
  buckets: BucketScope
}

export function reaches(scope: BucketScope, bucket: string): boolean {
  return scope === 'all' || scope.includes(bucket.normalize('NFC'))
}

/** "read on photos, music" / "full on every bucket", for people. */
export function describeGrant(grant: Pick<Grant, 'role' | 'buckets'>): string {
  const where = grant.buckets === 'all' ? 'every bucket' : grant.buckets.join(', ')
  return `${grant.role} on ${where}`
}

export type GrantSpecParse =
  { ok: true; code: string; role: Role; buckets: BucketScope } | { ok: false; reason: string }

/**
 * Reads a grant as typed on the command line: `<code>=<role>` (every bucket) or
 * `<code>=<role>:<bucket>,<bucket>`. The code is everything before the last `=`.
 */
export function parseGrantSpec(text: string): GrantSpecParse {
  const eq = text.lastIndexOf('=')
  if (eq < 0) return { ok: false, reason: 'expected <code>=<role> or <code>=<role>:<bucket>,…' }
  const code = text.slice(0, eq)
  const rest = text.slice(eq + 1)
  const colon = rest.indexOf(':')
  const role = colon < 0 ? rest : rest.slice(0, colon)
  const codeCheck = checkCode(code)
  if (!codeCheck.ok) return codeCheck
  if (!isRole(role))
    return { ok: false, reason: `unknown role "${role}"; roles: ${ROLE_NAMES.join(', ')}` }
  if (colon < 0) return { ok: true, code, role, buckets: 'all' }
  const buckets: string[] = []
  for (const raw of rest.slice(colon + 1).split(',')) {
    const check = checkName(raw.trim(), 'bucket')
    if (!check.ok) return { ok: false, reason: check.reason }
    if (!buckets.includes(check.name)) buckets.push(check.name)
  }
  return { ok: true, code, role, buckets }
}

/** Shortest access code accepted: shorter ones are guessed too easily. */
export const MIN_CODE_CHARS = 4
export const MAX_CODE_CHARS = 128

export function checkCode(code: string): { ok: true } | { ok: false; reason: string } {
  if (code.length < MIN_CODE_CHARS)
    return { ok: false, reason: `an access code has at least ${MIN_CODE_CHARS} characters` }
  if (code.length > MAX_CODE_CHARS)
    return { ok: false, reason: `an access code has at most ${MAX_CODE_CHARS} characters` }
  return { ok: true }
}
