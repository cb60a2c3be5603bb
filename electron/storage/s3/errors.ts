import { StoreError, type Subject } from '../errors.js'

/** What the SDK's errors carry that says what went wrong. */
interface S3Failure {
  name?: string
  Code?: string
  code?: string
  $metadata?: { httpStatusCode?: number }
}

/**
 * The one place where object-store failures become words a client may read, as errors.ts does for
 * the file system: a short reason, never the SDK's message (it names keys and endpoints). The
 * error's name goes to the server's own log.
 */
export function s3StoreError(err: unknown, subject: Subject): unknown {
  if (err instanceof StoreError) return err
  const failure = (err ?? {}) as S3Failure
  // The store's own code first; then a network error's (ECONNREFUSED…); a bare Error names nothing.
  const generic = failure.name === 'Error' || failure.name === 'AggregateError'
  const name = failure.Code ?? failure.code ?? (generic ? undefined : failure.name)
  const status = failure.$metadata?.httpStatusCode
  if (name === undefined && status === undefined) return err
  const reason = reasonOf(name ?? '', status)
  return new StoreError(
    reason === 'missing' ? `no such ${subject}` : reason,
    name ?? `HTTP ${status}`,
  )
}

function reasonOf(name: string, status: number | undefined): string {
  switch (name) {
    case 'NoSuchKey':
    case 'NotFound':
      return 'missing'
    case 'NoSuchBucket':
      return 'no such folder'
    case 'AccessDenied':
    case 'Forbidden':
    case 'InvalidAccessKeyId':
    case 'SignatureDoesNotMatch':
      return 'permission denied'
    case 'PreconditionFailed':
      return 'file changed while it was read; try again'
    case 'EntityTooLarge':
      return 'file too large for the object store'
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'ETIMEDOUT':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'TimeoutError':
    case 'SlowDown':
    case 'ServiceUnavailable':
    case 'InternalError':
      return 'storage unavailable; try again'
  }
  if (status === 404) return 'missing'
  if (status === 403) return 'permission denied'
  if (status !== undefined && status >= 500) return 'storage unavailable; try again'
  return 'I/O error'
}

/** Runs `work`, reporting object-store failures as StoreErrors about `subject`. */
export async function withS3StoreErrors<T>(subject: Subject, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (err) {
    throw s3StoreError(err, subject)
  }
}
