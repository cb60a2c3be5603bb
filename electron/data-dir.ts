import envPaths from 'env-paths'

/**
 * The app's data folder when none is given: settings, pinned certificates and the host's TLS
 * identity live there (~/.config/bucketshare on Linux, its like elsewhere).
 */
export function defaultDataDir(): string {
  return envPaths('bucketshare', { suffix: '' }).config
}
