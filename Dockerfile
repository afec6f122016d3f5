# syntax=docker/dockerfile:1
# Docket's container image: one image for every role (`serve --roles api|timers|projector`).
# docs/deployment.md explains the image, docker-compose.yml runs it. No Docker engine runs on the
# development machines: CI parses this file (test/deploy/compose.unit.test.ts) and starts a
# production install of the package (test/deploy/productionInstall.e2e.test.ts), but never
# builds the image.

# --- build: the C++ toolchain for better-sqlite3, every dependency, the TypeScript build ------
FROM node:20-bookworm-slim AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
# node-gyp takes the headers shipped with this node instead of downloading them.
ENV npm_config_nodedir=/usr/local
WORKDIR /app
# Dependencies first, so that this layer is reused while package*.json do not change.
# --ignore-scripts keeps the package's own `prepare` (a build) from running before the sources
# are there; `npm rebuild` then runs the dependencies' install scripts (better-sqlite3's build).
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts && npm rebuild
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY machines ./machines
COPY projections ./projections
COPY console ./console
COPY bin ./bin
# Compile to dist/, then drop the devDependencies (tsc, test tools) from node_modules.
RUN npm run build && npm prune --omit=dev

# --- runtime: node, the compiled code and the production node_modules, nothing else ----------
FROM node:20-bookworm-slim AS runtime
# HOST: listen on every interface (the service's own default, 127.0.0.1, suits a laptop only).
# DOCKET_DATA_DIR: SQLite files, when no ESDB_URL / DATABASE_URL is set (the embedded default).
ENV HOST=0.0.0.0 \
  PORT=3000 \
  DOCKET_DATA_DIR=/data
WORKDIR /app
# Code and dependencies stay owned by root: the service (user node) cannot change them.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
# /data: the data directory; /var/lib/docket: where docker-compose.yml mounts a volume for the
# first admin token (DOCKET_ADMIN_TOKEN_FILE). Both writable by the service's user; a named
# volume mounted on either starts with that owner.
RUN mkdir -p /data /var/lib/docket && chown node:node /data /var/lib/docket
VOLUME ["/data"]
# The unprivileged user of the node image (uid 1000).
USER node
EXPOSE 3000
# Ready, not only alive: /ready answers 200 once the store and the configured services answer
# (every role serves it on PORT, without a token). No curl in the slim image: node asks.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/ready',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node is PID 1 and handles SIGTERM itself: in-flight requests finish, then the store closes.
ENTRYPOINT ["node", "bin/docket.js"]
CMD ["serve"]
