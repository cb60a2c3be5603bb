import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

// Two projects: Node-side code (unit and integration over real loopback sockets) and the renderer
// (components and stores in happy-dom). End-to-end tests have their own config (vitest.e2e.config.ts).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: [
            'shared/**/*.test.ts',
            'electron/**/*.test.ts',
            'tests/unit/**/*.test.ts',
            'tests/integration/**/*.test.ts',
            'bench/**/*.test.ts',
          ],
          testTimeout: 30_000,
          hookTimeout: 30_000,
          // No mDNS on this machine's real networks: the discovery tests turn it back on inside
          // the network namespaces they make.
          env: { BUCKETSHARE_DISCOVERY: 'off' },
        },
      },
      {
        plugins: [vue()],
        test: {
          name: 'renderer',
          environment: 'happy-dom',
          include: ['renderer/**/*.test.ts', 'tests/renderer/**/*.test.ts'],
        },
      },
    ],
  },
})
