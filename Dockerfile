# syntax=docker/dockerfile:1
# Receipts: a two-stage image. The build stage has the compilers and dev dependencies; the
# runtime stage, on the same base so the native better-sqlite3 module still fits, has only
# what `node dist/main.js` needs.

# ---- build: compile TypeScript and the native better-sqlite3 module ----
FROM node:20-bookworm-slim AS build
# node-gyp's toolchain, for better-sqlite3 when no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev

# ---- runtime: production dependencies only, as the unprivileged node user ----
FROM node:20-bookworm-slim AS runtime
# tini as PID 1: forwards SIGTERM to node and reaps zombies.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data \
 && chown node:node /data
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    KNOWLEDGE_DIR=/app/knowledge \
    DATA_DIR=/data \
    HEALTH_PORT=8080 \
    HEALTH_HOST=0.0.0.0
WORKDIR /app
# The app stays root-owned and read-only to the bot; only /data is the node user's.
# package.json carries "type": "module", which dist/*.js needs.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY knowledge ./knowledge
# The fonts timeline pictures are drawn with (dist/timeline finds them at ../../assets/fonts).
COPY assets ./assets
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HEALTH_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form, node directly (not npm, which swallows signals), so SIGTERM reaches the bot.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
