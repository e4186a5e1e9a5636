# usagerep developer targets. `make help` lists them.

GO        ?= go
PKG       := github.com/usagerep/usagerep
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null)
LDFLAGS   := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
BIN       := bin/usagerep
TOOLS     := $(CURDIR)/.tools
STATICCHECK_VERSION := v0.8.2
FUZZTIME  ?= 10s
AS_OF     ?= 2026-11-22
BENCHDATA := .bench-data

.PHONY: help build test lint fmt vet staticcheck bench bench-data fuzz sample golden clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

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

bench-data: ## generate 1 GiB of canonical JSONL under $(BENCHDATA)/ (git-ignored)
	@mkdir -p $(BENCHDATA)
	$(GO) run ./cmd/usagerep-gen -size 1GiB -people 200000 -format jsonl -o $(BENCHDATA)/1g.jsonl

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

clean:
	rm -rf bin $(BENCHDATA) "Usage Reports.zip"
