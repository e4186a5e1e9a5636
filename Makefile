# usagerep developer targets. `make help` lists them.

GO        ?= go
PKG       := github.com/usagerep/usagerep
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null)
LDFLAGS   := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
BIN       := bin/usagerep
TOOLS     := $(CURDIR)/.tools
STATICCHECK_VERSION := v0.8.2
# The newest goreleaser v2 that builds with Go 1.26 (v2.18 needs Go 1.27).
GORELEASER_VERSION := v2.17.0
GORELEASER := $(TOOLS)/goreleaser-$(GORELEASER_VERSION)/goreleaser
FUZZTIME  ?= 10s
AS_OF     ?= 2026-11-22
BENCHDATA := .bench-data
# The peers' benchmark input, and the inputs of the scaling run: 1x, 2x
# and 4x the records of the same 200,000 people.
BENCH_INPUT ?= $(BENCHDATA)/1g.jsonl
BENCH_RSS_INPUTS ?= $(BENCHDATA)/1g.jsonl $(BENCHDATA)/2g.jsonl $(BENCHDATA)/4g.jsonl
BENCHBIN  := bench/bin
JQ        ?= /usr/bin/jq

.PHONY: help build test lint fmt vet staticcheck bench bench-export bench-peers bench-rss bench-data bench-data-4x fuzz sample golden clean
.PHONY: man release-check snapshot

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

build: ## build bin/usagerep
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/usagerep

test: ## run every test with the race detector
	$(GO) test -race -count=1 ./...

fmt: ## format the code
	gofmt -w cmd pkg

vet:
	$(GO) vet ./...

$(TOOLS)/staticcheck:
	GOBIN=$(TOOLS) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

staticcheck: $(TOOLS)/staticcheck
	$(TOOLS)/staticcheck ./...

lint: vet staticcheck ## gofmt, go vet and staticcheck must be clean
	@out=$$(gofmt -l cmd pkg); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

bench: ## run the benchmarks (MB/s, records/s)
	$(GO) test -run='^$$' -bench=. -benchmem ./pkg/...

bench-export: $(BENCH_INPUT) ## the in-process export benchmark on BENCH_INPUT (1 GiB), 1 and all workers
	USAGEREP_BENCH_INPUT=$(abspath $(BENCH_INPUT)) $(GO) test -run='^$$' -bench='^BenchmarkExport$$' \
	  -benchtime=1x -benchmem -timeout=60m ./pkg/cli

# The peers live in their own module (bench/go.mod), so the main module
# never depends on DuckDB; DuckDB needs cgo. Not part of CI.
bench-peers: build $(BENCH_INPUT) ## usagerep vs DuckDB vs jq on BENCH_INPUT: time, MB/s, peak RSS, figures
	@test -x $(JQ) || { apt-get update -qq && apt-get install -y -qq jq; }
	cd bench && CGO_ENABLED=1 $(GO) build -o bin/ ./cmd/benchpeers ./cmd/duckfigures
	$(BENCHBIN)/benchpeers -usagerep $(BIN) -duckfigures $(BENCHBIN)/duckfigures \
	  -jq $(JQ) -jq-program bench/cmd/benchpeers/figures.jq $(BENCH_INPUT)

bench-rss: build $(BENCH_RSS_INPUTS) ## usagerep's peak RSS, MB/s and time ratio on 1, 2 and 4 GiB (makes bench-data-4x)
	cd bench && $(GO) build -o bin/ ./cmd/benchpeers
	$(BENCHBIN)/benchpeers -tools usagerep -usagerep $(BIN) $(BENCH_RSS_INPUTS)

bench-data: $(BENCHDATA)/1g.jsonl ## generate 1 GiB of canonical JSONL under $(BENCHDATA)/ (git-ignored) if missing

bench-data-4x: $(BENCHDATA)/2g.jsonl $(BENCHDATA)/4g.jsonl ## 2 and 4 GiB more with the same people (6 GiB of disk; never in CI)

# N GiB of records of the same 200,000 people; the generator writes
# through a temporary file, so a present file is complete.
.PRECIOUS: $(BENCHDATA)/%g.jsonl
$(BENCHDATA)/%g.jsonl:
	@mkdir -p $(BENCHDATA)
	$(GO) run ./cmd/usagerep-gen -size $*GiB -people 200000 -format jsonl -o $@

# FUZZTIME is a duration (10s) or a number of executions (50000x); CI uses
# a count, since a duration can end in a spurious "context deadline
# exceeded" under Go 1.26 (go.dev/issue/75804).
fuzz: ## run every fuzz target for FUZZTIME each (default 10s)
	@set -e; for pkg in $$($(GO) list ./pkg/...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$t"; \
	    $(GO) test -run='^$$' -fuzz="^$$t$$" -fuzztime=$(FUZZTIME) $$pkg; \
	  done; \
	done

sample: build ## export the bundled sample to "Usage Reports.zip"
	./$(BIN) export --as-of $(AS_OF) --service-account 'svc-*' testdata/sample/

golden: ## rewrite golden files after an intended output change
	$(GO) test ./pkg/... -args -update

man: ## man pages of every command into man/man1 (from the command tree)
	$(GO) run ./cmd/usagerep-docs -o man/man1 -version $(VERSION)

# The pinned goreleaser, built from the Go module proxy on first use.
$(GORELEASER):
	GOBIN=$(dir $(GORELEASER)) $(GO) install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION)

release-check: $(GORELEASER) ## validate .goreleaser.yaml with the pinned goreleaser (installed into .tools/)
	$(GORELEASER) check

snapshot: $(GORELEASER) ## build every release archive into dist/, publishing nothing
	$(GORELEASER) release --snapshot --clean

clean:
	rm -rf bin $(BENCHBIN) $(BENCHDATA) "Usage Reports.zip" man dist
