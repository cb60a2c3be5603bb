import { X509Certificate } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { errnoOf, reasonFor } from '../../shared/errno.js'
import { normalizeFingerprint } from '../../shared/fingerprint.js'

/** A server's TLS identity: its key, its self-signed certificate and the certificate's fingerprint. */
export interface Identity {
  key: string
  cert: string
  /** SHA-256 of the certificate, 64 hex digits. */
  fingerprint: string
}

const YEARS = 20

/** The fingerprint of a PEM certificate. */
export function fingerprintOf(certPem: string): string {
  return normalizeFingerprint(new X509Certificate(certPem).fingerprint256)
}

/**
 * This host's TLS certificate cannot be read or made; the message says where and why, for the
 * person starting the host.
 */
export class CertificateError extends Error {
  override readonly name = 'CertificateError'
}

/**
 * The identity kept in `dir` (`tls-key.pem`, `tls-cert.pem`), created on first use. Peers pin its
 * fingerprint, so it must stay the same from one run to the next. Fails with a CertificateError.
 */
export async function loadOrCreateIdentity(dir: string): Promise<Identity> {
  const keyFile = path.join(dir, 'tls-key.pem')
  const certFile = path.join(dir, 'tls-cert.pem')
  const existing = await Promise.all([
    fs.readFile(keyFile, 'utf8'),
    fs.readFile(certFile, 'utf8'),
  ]).catch(() => undefined)
  if (existing) {
    const [key, cert] = existing
    try {
      return { key, cert, fingerprint: fingerprintOf(cert) }
    } catch {
      throw new CertificateError(
        `The TLS certificate in "${dir}" cannot be read: move ${path.basename(keyFile)} and ${path.basename(certFile)} away to make a new one (peers will be warned that it changed)`,
      )
    }
  }
  try {
    return await createIdentity(dir, keyFile, certFile)
  } catch (err) {
    const errno = errnoOf(err) ?? ''
    // mkdir says EEXIST or ENOTDIR when a file stands where the folder should be.
    const reason =
      errno === 'EEXIST' || errno === 'ENOTDIR' ? 'it is not a folder' : reasonFor(errno, 'folder')
    throw new CertificateError(`Cannot make a TLS certificate in "${dir}": ${reason}`)
  }
}

async function createIdentity(dir: string, keyFile: string, certFile: string): Promise<Identity> {
  const now = new Date()
  const until = new Date(now)
  until.setFullYear(now.getFullYear() + YEARS)
  const { makeCertificate } = await import('./certificate.js')
  const { key, cert } = await makeCertificate(now, until)
  await fs.mkdir(dir, { recursive: true })
  // The key is written first and readable by its owner only; a half-written pair is regenerated.
  await fs.writeFile(keyFile, key, { mode: 0o600 })
  await fs.writeFile(certFile, cert)
  return { key, cert, fingerprint: fingerprintOf(cert) }
}
