/**
 * Sealing of secrets the app keeps (an object store's keys): Electron's safeStorage in the desktop
 * app (the system's keychain or secret service), nothing elsewhere. The app services run without
 * Electron, so the shell hands them this; browser mode and the tests have none.
 */
export interface Secrets {
  /** Seals `text` for storage; the result says nothing of it without this computer's key. */
  seal(text: string): string
  open(sealed: string): string
}
