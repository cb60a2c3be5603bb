import { resolve } from 'node:path'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'
import { contentSecurityPolicy } from './shared/csp.js'

/** Main, preload and renderer in one build: `npm start` (dev), `npm run build` (out/). */
export default defineConfig({
  main: {
    build: { lib: { entry: resolve('electron/main/index.ts') } },
  },
  preload: {
    build: {
      lib: { entry: resolve('electron/preload/index.ts') },
      // A sandboxed preload must be CommonJS.
      rolldownOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: resolve('renderer'),
    build: {
      outDir: resolve('out/renderer'),
      rolldownOptions: {
        input: resolve('renderer/index.html'),
        // A note on how long the Vue plugin took, not on the code: on a busy machine it printed
        // during npm install, which must finish without warnings.
        checks: { bundlerTimings: false },
      },
    },
    plugins: [
      vue(),
      {
        // The page's own copy of the one policy (shared/csp.ts).
        name: 'bucketshare-csp',
        transformIndexHtml: (html, context) =>
          html.replace(
            '%BUCKETSHARE_CSP%',
            contentSecurityPolicy({ devServer: Boolean(context.server), meta: true }),
          ),
      },
    ],
  },
})
