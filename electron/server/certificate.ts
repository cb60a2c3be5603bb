import { generate } from 'selfsigned'

/**
 * A new key and a self-signed certificate for it, valid from `from` to `until`, in PEM. Its own
 * module, imported only to make a certificate (once per data folder): selfsigned is a large
 * library that a server which already has its identity never loads.
 */
export async function makeCertificate(
  from: Date,
  until: Date,
): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: 'commonName', value: 'BucketShare host' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: from,
    notAfterDate: until,
  })
  return { key: pems.private, cert: pems.cert }
}
