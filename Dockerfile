# spindle with the example component built in; the app manifest comes from a mount
# (see compose.yaml). Runs as the unprivileged `node` user.
ARG BASE_IMAGE=node:24-bookworm-slim
FROM ${BASE_IMAGE}
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node bin/spindle.js build -f examples/transform \
 && chown -R node:node /app/examples
USER node
EXPOSE 3000
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/.well-known/spin/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/spindle.js"]
CMD ["up", "-f", "examples/compose", "--listen", "0.0.0.0:3000", "--log-format", "json"]
