# scalebox: `make demo` sets up a fresh Debian/Ubuntu machine and runs the
# demo benchmark; `make test` sets it up and runs every test.
export PATH := $(PATH):/usr/local/go/bin
GO ?= go
BIN := bin/scalebox
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/scalebox-dev/scalebox/internal/buildinfo.version=$(VERSION)

.PHONY: all deps build demo test test-short lint fuzz bench bench-serve bench-cluster generate clean

all: build

deps:
	./scripts/install-deps.sh

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) .

demo: deps build
	./$(BIN) doctor || true
	./$(BIN) eval --bench demo --out demo-report.json

# Every test, with the race detector, on the real sandbox and toolchains;
# the classifier's cross-validation, arithmetic only, without it. Tests
# leave what a person may want to look at (the browser test's screenshots
# and pages) under test-artifacts/.
SCALEBOX_TEST_ARTIFACTS ?= $(CURDIR)/test-artifacts
test: deps lint
	SCALEBOX_TEST_ARTIFACTS=$(SCALEBOX_TEST_ARTIFACTS) $(GO) test -race -count=1 -timeout 40m ./...
	$(GO) test -count=1 -run '^TestClassifierCrossValidated$$' ./judgegen
	$(MAKE) fuzz FUZZTIME=20000x SANDBOX_FUZZTIME=100x

test-short:
	$(GO) test -short -count=1 ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	$(GO) vet ./...

# Counts (Nx), not durations: with a duration Go 1.26's fuzz coordinator
# can report its own deadline as a failure (golang/go#75804, fixed in 1.27).
# Targets that start a sandbox per input (SANDBOX_FUZZ) get a smaller count.
FUZZTIME ?= 200000x
SANDBOX_FUZZTIME ?= 2000x
SANDBOX_FUZZ := FuzzSanitize
fuzz:
	@for pkg in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    n=$(FUZZTIME); case " $(SANDBOX_FUZZ) " in *" $$f "*) n=$(SANDBOX_FUZZTIME);; esac; \
	    echo "fuzz $$pkg $$f $$n"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $$n -timeout 10m $$pkg || exit 1; \
	  done; \
	done

# Throughput of trivial Python stdin tests, scalebox against the same
# programs run bare, measured in one run; C++ and Java compile times, cache
# hits and sandboxed against bare runs.
bench: deps
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 1 ./eval ./runner

# scalebox serve under an RL trainer's load, on loopback: 256 clients of
# verl-style /run_code (trivial Python and C++, one test per request) and a
# batch of ScaleBox /common_evaluate_batch requests; requests/s, tests/s,
# p50/p99, errors, peak RSS, and the ratio to scalebox eval on the same
# tests in the same run. BENCH_SERVE_SAMPLES, _TESTS and _CLIENTS size it.
bench-serve: deps
	$(GO) test -run '^$$' -bench '^BenchmarkServe$$' -benchtime 1x -count 1 -timeout 30m ./server

# Scaling over serve nodes through a real nginx, on this machine: one node
# pinned to one CPU against two nodes each pinned to its own, on a
# CPU-bound workload (the throughput ratio), the same tests by a local
# scalebox eval on the same CPUs (the cost of nginx and HTTP), and the
# client's and nginx's CPU per request (docs/cluster.md's model).
# BENCH_CLUSTER_TESTS and BENCH_CLUSTER_TRIVIAL size it.
bench-cluster: deps
	$(GO) test -run '^$$' -bench '^BenchmarkCluster$$' -benchtime 1x -count 1 -timeout 20m ./cluster

generate:
	$(GO) run ./benchmarks/builtin/demo/gen.go

clean:
	rm -rf bin demo-report.json
