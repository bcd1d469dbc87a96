# spindle as a container: `spindle up` as the entry point, serving on 0.0.0.0:$PORT
# (Knative's runtime contract, PORT default 8080) as the unprivileged `node` user.
# Run alone, it serves the example target (examples/transform); mount an app and name it:
#
#   docker run -p 127.0.0.1:8080:8080 spindle
#   docker run -v "$PWD/my-app:/app/my-app:ro" spindle up -f my-app
#
# BASE_IMAGE names another Node.js >= 22.18 image on Debian (e.g. a mirror's copy).
ARG BASE_IMAGE=node:24-bookworm-slim

# --- build: compile, pack, and build the example component ---------------------------
FROM ${BASE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: the only one spindle allows is the `node` devDependency's, which
# would download a Node this image already has.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin bin
COPY wit wit
COPY src src
COPY adapters adapters
RUN npm run build \
 && mkdir /pack \
 && npm pack --ignore-scripts --pack-destination /pack \
 && mv /pack/spindle-*.tgz /pack/spindle.tgz
COPY examples/transform examples/transform
RUN node bin/spindle.js build -f examples/transform

# --- runtime: the packed package with production dependencies only -----------------
FROM ${BASE_IMAGE}
# What `npm pack` put in the package (bin/, dist/, wit/), installed with the production
# dependencies of the lock, so that the image runs what users install.
# `spindle up` transpiles components with jco's transpiler only: the toolchains behind
# `spindle componentize` (componentize-js with its JavaScript engines, componentize-qjs,
# binaryen, TypeScript, rolldown, wizer) are some 330 MB a runtime image does not use, so
# they are removed; build components where you develop them. So are the dependencies'
# source maps and type declarations (about 27 MB).
COPY --from=build /pack/spindle.tgz /src/package-lock.json /tmp/spindle/
RUN mkdir -p /opt/spindle \
 && tar -xzf /tmp/spindle/spindle.tgz -C /opt/spindle --strip-components=1 --no-same-owner \
 && mv /tmp/spindle/package-lock.json /opt/spindle/ \
 && cd /opt/spindle \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --no-update-notifier --cache /tmp/spindle/npm-cache \
 && cd node_modules \
 && rm -rf @bytecodealliance/componentize-js* @bytecodealliance/jco/node_modules @bytecodealliance/wizer* \
      @bytecodealliance/weval binaryen typescript typescript-compiler-api @typescript rolldown @rolldown \
      componentize-qjs @andreiltd \
 && find . -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete \
 && rm -rf /tmp/spindle \
 && ln -s /opt/spindle/bin/spindle.js /usr/local/bin/spindle
# The example app, its component built: spindle.toml and transform.wasm only.
WORKDIR /app
COPY --from=build /src/examples/transform/spindle.toml /src/examples/transform/transform.wasm examples/transform/
# The app directory belongs to root and stays read-only: transpiled components go to a
# directory any user may write (as /tmp), where the example's is transpiled already, so
# that the example starts without that step (several seconds).
ENV NODE_ENV=production \
    PORT=8080 \
    SPIN_HTTP_LISTEN_ADDR=0.0.0.0 \
    SPINDLE_CACHE_DIR=/var/cache/spindle
RUN mkdir -m 1777 "$SPINDLE_CACHE_DIR" \
 && (spindle up -f examples/transform --listen 127.0.0.1:0 >/tmp/warm.log 2>&1 & echo $! >/tmp/warm.pid) \
 && until grep -q '^Serving' /tmp/warm.log; do kill -0 "$(cat /tmp/warm.pid)" || { cat /tmp/warm.log; exit 1; }; sleep 1; done \
 && kill "$(cat /tmp/warm.pid)" && rm /tmp/warm.log /tmp/warm.pid \
 && find "$SPINDLE_CACHE_DIR" -type d -exec chmod 1777 {} +
# Numeric (the base image's `node`), so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/.well-known/spin/health`).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["spindle"]
CMD ["up", "-f", "examples/transform", "--log-format", "json"]
