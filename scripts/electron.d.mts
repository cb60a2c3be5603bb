/** Types of scripts/electron.mjs, for the TypeScript that imports it (tests/e2e/launch.ts). */

/** The Electron executable, or undefined when it is not installed. */
export function electronBinary(): string | undefined
/** Why the desktop app cannot start here, or undefined when it can. */
export function whyNoDesktop(): string | undefined
/** Downloads Electron's binary when missing; undefined when it is there, else why not. */
export function installElectron(): string | undefined
