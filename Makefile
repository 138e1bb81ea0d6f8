# The README's commands, by name.
PG ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable

.PHONY: build test test-pg lint bench fuzz demo

build:
	go build -o bin/assocbot ./cmd/assocbot

test:
	go test -race -timeout 30m ./...

test-pg:
	ASSOCBOT_TEST_PG='$(PG)' go test -race -run . ./models/...

lint:
	gofmt -l . | (! grep .)
	go vet ./...
	@command -v golangci-lint >/dev/null && golangci-lint run || echo "golangci-lint not installed; gofmt and go vet ran"

bench:
	go test -run '^$$' -bench . -benchmem ./...

fuzz:
	go test -run '^$$' -fuzz FuzzUpdates -fuzztime 2m ./bot/
	go test -run '^$$' -fuzz FuzzConsoleAPI -fuzztime 1m ./bot/console/

demo:
	go run ./cmd/assocbot demo
