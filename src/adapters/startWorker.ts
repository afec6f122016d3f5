import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on the module `name` beside `base` (an `import.meta.url`). Built, it
 * is the `.js` file in dist/. Run from the TypeScript sources (tsx: tests, benchmarks), the
 * thread registers tsx's loader before importing the `.ts` file: a worker's entry module is
 * loaded before any `--import` of its own runs.
 */
export const startWorker = (base: string, name: string, workerData: unknown): Worker => {
  if (!base.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, base), { workerData });
  const entry = new URL(`./${name}.ts`, base).href;
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
};
