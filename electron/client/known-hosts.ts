import Conf from 'conf'
import { normalizeFingerprint } from '../../shared/fingerprint.js'
import { defaultDataDir } from '../data-dir.js'

/**
 * Fingerprints of the servers this computer has connected to ("host:port" → SHA-256), pinned on
 * first use: the next connection must present the same certificate.
 */
export class KnownHosts {
  private readonly conf: Conf<{ hosts: Record<string, string> }>

  /** `dir`: the app's data folder. */
  constructor(dir: string = defaultDataDir()) {
    this.conf = new Conf({
      configName: 'known-hosts',
      cwd: dir,
      defaults: { hosts: {} },
      clearInvalidConfig: true,
    })
  }

  get(host: string, port: number): string | undefined {
    return this.conf.get('hosts')[key(host, port)]
  }

  /**
   * Where this certificate was seen before ("host:port"), if anywhere: a peer is known by its
   * identity, so one that moved to another address is still the same peer.
   */
  whereSeen(fingerprint: string): string | undefined {
    const wanted = normalizeFingerprint(fingerprint)
    return Object.entries(this.conf.get('hosts')).find(([, fp]) => fp === wanted)?.[0]
  }

  pin(host: string, port: number, fingerprint: string): void {
    this.conf.set('hosts', {
      ...this.conf.get('hosts'),
      [key(host, port)]: normalizeFingerprint(fingerprint),
    })
  }
}

function key(host: string, port: number): string {
  return `${host.toLowerCase()}:${port}`
}
