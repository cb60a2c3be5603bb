/** A host's share on an object store: one S3 bucket, and a prefix inside it (`''` or `a/b/`). */
export interface S3Location {
  bucket: string
  prefix: string
}

/** Whether a shared place is given as an S3 address rather than a folder. */
export const isS3Address = (text: string): boolean => /^s3:\/\//i.test(text)

/**
 * `s3://<bucket>[/<prefix>]`. The prefix may have several parts; it is kept with one trailing `/`
 * so that every BucketShare bucket is `<prefix><name>/`.
 */
export function parseS3Address(text: string): S3Location {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/i.exec(text.trim())
  if (!match) throw new Error(`"${text}" is not an S3 address: write s3://<bucket>[/<prefix>]`)
  const bucket = match[1]!
  // S3's own bucket-name rules (lower case, digits, dots, hyphens; 3 to 63 characters).
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    throw new Error(`"${bucket}" is not a valid S3 bucket name`)
  const parts = (match[2] ?? '').split('/').filter((p) => p !== '')
  if (parts.some((p) => p === '.' || p === '..'))
    throw new Error(`the prefix of "${text}" may not contain "." or ".." parts`)
  return { bucket, prefix: parts.length > 0 ? `${parts.join('/')}/` : '' }
}

export const formatS3Address = ({ bucket, prefix }: S3Location): string =>
  `s3://${bucket}${prefix ? `/${prefix.replace(/\/$/, '')}` : ''}`
