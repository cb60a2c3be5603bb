/**
 * After `npm install`: fetches Electron's binary where it can be downloaded, and builds the
 * command-line programs. Never fails the install for the binary: without it everything but the
 * desktop window works, and `npm start` opens the interface in a browser instead.
 */
import { buildPrograms, buildRenderer } from './build-cli.mjs'
import { installElectron } from './electron.mjs'

const missing = installElectron()
if (missing)
  console.log(
    `BucketShare: Electron's binary could not be downloaded (${missing}); everything works but the desktop window, and npm start opens the interface in your browser instead (npm run postinstall tries the download again).`,
  )
// Always: the install may have brought other versions of the dependencies bundled in.
await buildPrograms(undefined, { force: true })
// Browser mode will serve the interface: build it now rather than on the first start.
if (missing && !buildRenderer({ quiet: true, force: true })) process.exitCode = 1
