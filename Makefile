# lcwh — common tasks. `make check` is what CI runs (see .ci/run).
GO      ?= go
BIN     ?= bin/lcwh
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
DATE    ?= $(shell git log -1 --format=%cI 2>/dev/null || echo unknown)
PKG     := github.com/lcwh/lcwh/internal/build
LDFLAGS := -s -w -X $(PKG).Version=$(VERSION) -X $(PKG).Commit=$(COMMIT) -X $(PKG).Date=$(DATE)
GORELEASER_VERSION ?= v2.15.1
GORELEASER ?= $(shell $(GO) env GOPATH)/bin/goreleaser

.PHONY: build test lint fmt fmt-check vet docs docs-check check bench clean release-check release-snapshot

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

# GoReleaser, pinned; installed into GOPATH/bin on first use.
$(GORELEASER):
	$(GO) install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION)

release-check: $(GORELEASER)
	$(GORELEASER) check

# Every archive, package, checksum, cask and Scoop manifest into dist/; publishes nothing.
# GoReleaser reads commit, date and URL through `git ls-remote --get-url`; a
# checkout without a remote (a git worktree, say) gets the canonical one here.
release-snapshot: $(GORELEASER)
	$(if $(shell git remote),,GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0=https://github.com/lcwh/lcwh.git) \
	  $(GORELEASER) release --snapshot --clean --skip=publish

clean:
	rm -rf bin dist manpages
