# syntax=docker/dockerfile:1
# Build: cgo is needed by gorm.io/driver/sqlite (mattn/go-sqlite3).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/assocbot ./cmd/assocbot

# Run: a small Debian with the CA certificates (Telegram over HTTPS) and the
# zone database (ASSOCBOT_TZ), as an unprivileged user.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin assocbot \
 && mkdir -p /data && chown assocbot /data
COPY --from=build /out/assocbot /usr/local/bin/assocbot
USER assocbot
WORKDIR /data
VOLUME ["/data"]
ENV ASSOCBOT_DB=/data/assocbot.db ASSOCBOT_LISTEN=:8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ok <&3"]
ENTRYPOINT ["assocbot"]
CMD ["run"]
