# OpenOnCall: one image for `serve` and `engine`. Build: docker build -t openoncall .
# Multi-stage: wheels and npm assets are built apart, the runtime image has neither pip's
# cache, nor compilers, nor node; it runs as an unprivileged user.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m venv /opt/openoncall \
 && /opt/openoncall/bin/pip install .

FROM node:20-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM python:3.11-slim
LABEL org.opencontainers.image.title="OpenOnCall" \
      org.opencontainers.image.licenses="Apache-2.0"
# pg_dump for `openoncall db backup` against PostgreSQL.
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/openoncall \
    --create-home --shell /usr/sbin/nologin openoncall
COPY --from=build /opt/openoncall /opt/openoncall
COPY --from=assets /src/node_modules /opt/openoncall/node_modules
ENV PATH=/opt/openoncall/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    OPENONCALL_NODE_MODULES=/opt/openoncall/node_modules \
    OPENONCALL_DATABASE_URL=sqlite:////var/lib/openoncall/openoncall.db \
    OPENONCALL_LOG_FORMAT=json
USER openoncall
WORKDIR /var/lib/openoncall
VOLUME ["/var/lib/openoncall"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status != 200)"]
ENTRYPOINT ["openoncall"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
