export {
  BucketServer,
  startServer,
  CLOSE_GRACE_MS,
  DEFAULT_HOST,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_LINE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  DEFAULT_MAX_UNPROVEN,
  DEFAULT_MAX_UNPROVEN_PER_ADDRESS,
  REFUSAL_MS,
  type BucketServerEvents,
  type ServerOptions,
} from './server.js'
export { reachableAddresses } from './addresses.js'
export { PROTOCOL_VERSION } from './commands/index.js'
export { AccessGate, generateAccessCode, HOST_WRONG_CODES_PER_MINUTE } from './access.js'
export {
  GrantTable,
  hashAll,
  hashCode,
  newSalt,
  type GrantWithCode,
  type StoredGrant,
} from './grants.js'
export { NOT_ALLOWED } from './permissions.js'
export { DEFAULT_TRASH, SetupError, StoreError } from '../storage/index.js'
export { CertificateError, fingerprintOf, loadOrCreateIdentity, type Identity } from './identity.js'
