# lcwh — common tasks. `make check` is what CI runs (see .ci/run).
GO      ?= go
BIN     ?= bin/lcwh
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
DATE    ?= $(shell git log -1 --format=%cI 2>/dev/null || echo unknown)
PKG     := github.com/lcwh/lcwh/internal/build
LDFLAGS := -s -w -X $(PKG).Version=$(VERSION) -X $(PKG).Commit=$(COMMIT) -X $(PKG).Date=$(DATE)

.PHONY: build test lint fmt fmt-check vet docs docs-check check bench clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/lcwh

# The README's test command.
test:
	$(GO) test -race ./...

lint:
	golangci-lint run ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

docs:
	$(GO) run ./cmd/gen-docs

docs-check:
	$(GO) test ./internal/docgen -run TestGeneratedFilesAreCurrent

check: fmt-check vet lint test docs-check build

clean:
	rm -rf bin dist
