// s3rver ships no types: the part of it the tests use.
declare module 's3rver' {
  import type { AddressInfo } from 'node:net'

  interface Context {
    path: string
    method: string
    query: Record<string, string | string[] | undefined>
    status: number
    type: string
    body: unknown
  }

  export default class S3rver {
    constructor(options: {
      port?: number
      address?: string
      directory: string
      silent?: boolean
      configureBuckets?: { name: string; configs: unknown[] }[]
    })
    middleware: ((ctx: Context, next: () => Promise<void>) => Promise<void>)[]
    run(): Promise<AddressInfo>
    close(): Promise<void>
  }
}
