# clicktrail: `make demo` runs the tool on the shipped samples, `make test` runs every test.
GO        ?= go
BIN       := bin/clicktrail
COMMIT    := $(shell git rev-parse --short=12 HEAD 2>/dev/null)
LDFLAGS   := -s -w -X main.buildCommit=$(COMMIT)
REPORT    ?= clicktrail-report
FUZZTIME  ?= 20s

.PHONY: all build demo test vet fmt-check fuzz bench clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/clicktrail

# Scan the licensed sample logs shipped in samples/evtx. clicktrail exits 1
# when it finds something, which is the point of the demo.
demo: build
	@./$(BIN) scan -o $(REPORT) samples/evtx; rc=$$?; \
	if [ $$rc -gt 1 ]; then exit $$rc; fi; \
	echo; echo "open $(REPORT)/report.html"

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# Unit, golden, end-to-end and (where ../shared exists) corpus tests, with
# the race detector.
test: fmt-check vet
	$(GO) test -race -count=1 ./...

# Short native fuzzing of every fuzz target (FUZZTIME each).
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzPattern$$' -fuzztime $(FUZZTIME) ./triage
	$(GO) test -run '^$$' -fuzz '^FuzzChunk$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./evtx
	$(GO) test -run '^$$' -fuzz '^FuzzFile$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./evtx
	$(GO) test -run '^$$' -fuzz '^FuzzScan$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./evtx/carve
	$(GO) test -run '^$$' -fuzz '^FuzzVolumes$$' -fuzztime $(FUZZTIME) ./evtx/image

# Throughput and peak memory of every reader, side by side in one run (needs
# ../shared/bench or CLICKTRAIL_SHARED), then the Go benchmarks.
bench: build
	$(GO) run ./cmd/clicktrail-bench -clicktrail $(BIN)
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin $(REPORT)
