import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where the console's URLs start; `authenticate` serves everything under it without a token. */
export const CONSOLE_PREFIX = '/console';

/**
 * The folder Vite builds the console into (`dist/console`), found from this module whether it
 * runs compiled (dist/src/http) or from source (src/http, in tests): the package's root is the
 * nearest folder above that holds package.json.
 */
export const builtConsoleDir = (): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'console');
};

/**
 * What the console's pages may load and do: its own files and API only, no inline script, no
 * framing, no plugin, no form posted elsewhere. A script injected into a page could neither
 * run inline nor send a token to another origin.
 */
const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The console's static files at `/console/`: HTML, scripts and styles that hold no data (every
 * case, queue and report is fetched from the API with the signed-in person's token), so they
 * are public. Not in the OpenAPI document: they are not API routes. A console that was not
 * built answers 404 problems, as any unknown path.
 */
export const consoleRoutes = async (app: FastifyInstance, root: string): Promise<void> => {
  if (!existsSync(join(root, 'index.html'))) return;
  app.get(CONSOLE_PREFIX, { config: { public: true }, schema: { hide: true } }, (_request, reply) =>
    reply.redirect(`${CONSOLE_PREFIX}/`, 301),
  );
  await app.register(fastifyStatic, {
    root,
    prefix: `${CONSOLE_PREFIX}/`,
    decorateReply: false,
    // Hashed asset names change with their content: cache them for good; index.html never.
    setHeaders: (reply, path) => {
      void reply
        .header(
          'cache-control',
          path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        )
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', CONSOLE_CSP)
        .header('referrer-policy', 'no-referrer')
        .header('x-frame-options', 'DENY');
    },
  });
};
