import {
  COMMANDS,
  NOT_ALLOWED,
  reaches,
  roleAllowsAny,
  type CommandSpec,
  type Grant,
  type Verb,
} from '../../shared/protocol/index.js'

export { NOT_ALLOWED }
export const READ_ONLY = 'the host shares this folder read-only'

/** Who may run everything on a host that asks for no code. */
export const OPEN_GRANT: Grant = { label: 'anyone', role: 'full', buckets: 'all' }

/** Position of a verb's bucket argument, if it has one. */
function bucketArg(spec: CommandSpec): number {
  return spec.args.findIndex((a) => a === 'bucket' || a === 'bucket?')
}

/**
 * The one place where a command is checked against what the session may do: the host's read-only
 * switch, the role of its access code, and the buckets the code reaches. Returns the reason of a
 * refusal, or undefined when the command may run.
 */
export function refusal(
  verb: Verb,
  args: readonly string[],
  grant: Grant,
  readOnly: boolean,
): string | undefined {
  const spec: CommandSpec = COMMANDS[verb]
  if (readOnly && spec.writes) return READ_ONLY
  if (spec.needs && !roleAllowsAny(grant.role, spec.needs)) return NOT_ALLOWED
  const index = bucketArg(spec)
  const bucket = index < 0 ? undefined : args[index]
  if (bucket !== undefined && !reaches(grant.buckets, bucket)) return NOT_ALLOWED
  return undefined
}

/** Whether `help` shows a verb: what the session may run on some bucket. */
export function mayRun(verb: Verb, grant: Grant | undefined, readOnly: boolean): boolean {
  const spec: CommandSpec = COMMANDS[verb]
  if (!grant) return spec.open === true
  if (readOnly && spec.writes) return false
  return !spec.needs || roleAllowsAny(grant.role, spec.needs)
}
