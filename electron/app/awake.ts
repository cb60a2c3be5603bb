/**
 * Keeps the computer from sleeping while transfers run: Electron's powerSaveBlocker in the desktop
 * app. The app services run without Electron, so the shell hands them this; browser mode and the
 * tests have a stand-in or none.
 */
export interface KeepAwake {
  /** Transfers started running: the computer should stay awake. Called once until `stop`. */
  start(): void
  /** No transfer runs or waits for a retry any more. */
  stop(): void
}
