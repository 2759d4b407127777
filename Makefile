# scalebox: `make demo` sets up a fresh Debian/Ubuntu machine and runs the
# demo benchmark; `make test` sets it up and runs every test.
export PATH := $(PATH):/usr/local/go/bin
GO ?= go
BIN := bin/scalebox
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/scalebox-dev/scalebox/internal/buildinfo.version=$(VERSION)

.PHONY: all deps build demo test test-short lint fuzz bench generate clean

all: build

deps:
	./scripts/install-deps.sh

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) .

demo: deps build
	./$(BIN) doctor || true
	./$(BIN) eval --bench demo --out demo-report.json

# Every test, with the race detector, on the real sandbox and toolchains.
test: deps lint
	$(GO) test -race -count=1 -timeout 25m ./...
	$(MAKE) fuzz FUZZTIME=5s

test-short:
	$(GO) test -short -count=1 ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	$(GO) vet ./...

FUZZTIME ?= 20s
fuzz:
	@for pkg in ./judge ./judge/checker ./judge/registry ./judgegen ./benchmarks ./runner; do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

# Throughput of trivial Python stdin tests, scalebox against the same
# programs run bare, measured in one run; C++ and Java compile times, cache
# hits and sandboxed against bare runs.
bench: deps
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 1 ./eval ./runner

generate:
	$(GO) run ./benchmarks/builtin/demo/gen.go

clean:
	rm -rf bin demo-report.json
