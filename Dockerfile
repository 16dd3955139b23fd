# syntax=docker/dockerfile:1
# Sluice container image.
#
#   docker build -t sluice .
#   docker run --rm -e REDIS_URL=redis://my-redis:6379 -p 4573:4573 -p 9464:9464 \
#     -v sluice-landing:/var/lib/sluice sluice
#
# The default config (deploy/sluice.container.yaml, at /etc/sluice/sluice.yaml) writes gzip'd
# NDJSON objects under /var/lib/sluice/landing; mount your own config over it for S3/MinIO
# (see deploy/docker-compose.yml and deploy/README.md). The Redis must run with
# maxmemory-policy noeviction, or Sluice refuses to start.
#
# Stopping: Sluice drains in-flight batches for up to shutdown.timeoutSeconds (default 30 s)
# after SIGTERM, longer than Docker's default 10 s grace: use `docker stop -t 40` or
# `stop_grace_period: 40s` (as deploy/docker-compose.yml does). A batch cut short is not lost:
# it stays in Redis and is delivered after the restart.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: compile TypeScript, build zstd-napi, keep only the production dependencies ----
FROM ${NODE_IMAGE} AS build
# zstd-napi is a native addon; node-gyp builds it when no prebuilt binary can be fetched.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app

COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# ---- runtime ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app

# The application belongs to root and is read-only for the `node` user that runs it.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./package.json
COPY config ./config
COPY deploy/sluice.container.yaml /etc/sluice/sluice.yaml

# The landing directory of the default config: the only place the process writes.
RUN mkdir -p /var/lib/sluice/landing && chown -R node:node /var/lib/sluice
VOLUME ["/var/lib/sluice"]

USER node
# 4573: ingest (HTTP API for producers); 9464: admin (/metrics, /healthz, /readyz).
EXPOSE 4573 9464
STOPSIGNAL SIGTERM
# Slim images have no curl: Node's own fetch asks the admin server. /healthz answers while the
# process runs; /readyz (Redis reachable) is the better probe for a load balancer.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["node", "dist/src/cli.js"]
CMD ["start", "--config", "/etc/sluice/sluice.yaml"]
