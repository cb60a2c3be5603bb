import type * as S3 from '@aws-sdk/client-s3'

/** The AWS SDK's S3 client, as a module. */
export type Sdk = typeof S3

let loading: Promise<Sdk> | undefined

/**
 * The SDK, loaded when an object store is first opened: it takes longer to load than all the rest
 * of the server, which a host sharing a folder should not pay for at every start.
 */
export function loadSdk(): Promise<Sdk> {
  loading ??= import('@aws-sdk/client-s3')
  return loading
}
