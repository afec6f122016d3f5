import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The console is built into dist/console, served by the `api` role at /console. */
export default defineConfig({
  root: here('.'),
  base: '/console/',
  plugins: [preact()],
  build: {
    outDir: here('../dist/console'),
    emptyOutDir: true,
    // No source maps in the package (package.json `files` leaves *.map out anyway).
    sourcemap: false,
  },
  logLevel: 'warn',
});
