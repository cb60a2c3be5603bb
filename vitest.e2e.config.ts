import { defineConfig } from 'vitest/config'

// End-to-end: the built renderer in Debian's Chromium (or the desktop app where Electron can run, see
// tests/e2e/launch.ts), driven by playwright-core, against the real
// browser-mode process (`npm run ui`). Run with `npm run test:e2e`, which builds first.
export default defineConfig({
  test: {
    name: 'e2e',
    environment: 'node',
    include: ['tests/e2e/**/*.e2e.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    // No mDNS on this machine's real networks: the discovery spec turns it back on inside the
    // network namespaces it makes.
    env: { BUCKETSHARE_DISCOVERY: 'off' },
  },
})
