# Build: cgo is on because gorm.io/driver/sqlite uses mattn/go-sqlite3.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w" -o /out/dudao ./cmd/dudao

# Run: a small Debian with CA certificates and time zones, as a non-root user (the PDF font is built in).
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /var/lib/dudao --create-home dudao
COPY --from=build /out/dudao /usr/local/bin/dudao
USER dudao
WORKDIR /var/lib/dudao
VOLUME ["/var/lib/dudao/data"]
ENV DUDAO_ADDR=0.0.0.0:8080 DUDAO_DATA=/var/lib/dudao/data
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/dudao"]
CMD ["serve"]
