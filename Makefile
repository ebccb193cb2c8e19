# govidu: `make test` is the single entry point (CI runs it through .ci/run).

GO ?= go


.PHONY: test deps vet fmt-check sdk-check unit fuzz build run

test: deps fmt-check vet sdk-check unit fuzz

deps:
	./scripts/install-deps.sh

fmt-check:
	@out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# The browser SDK: strict TypeScript type-check and its node unit tests.
sdk-check:
	npx --prefix sdk/browser tsc --noEmit -p sdk/browser
	npm --prefix sdk/browser test

# -race everywhere: most packages own goroutines. The packages that drive
# headless Chromium run one at a time after the others, so that a 2-core
# machine is not asked to run a dozen browsers at once.
BROWSER_PKGS := ./internal/web/... ./internal/dashboard/... ./internal/netcheck/... ./test/e2e/...
# The UDP-blocked browser tests put Chromium in a network namespace: that
# takes root, so they are required only when make test runs as root.
NETNS := $(shell [ "$$(id -u)" = 0 ] && echo GOVIDU_REQUIRE_NETNS=1)
unit:
	GOVIDU_REQUIRE_COMPAT=1 GOVIDU_REQUIRE_E2E=1 $(NETNS) $(GO) test -race -count=1 -timeout 20m \
		$$($(GO) list ./... | grep -v -e /internal/web -e /internal/dashboard -e /internal/netcheck -e /test/e2e)
	GOVIDU_REQUIRE_COMPAT=1 GOVIDU_REQUIRE_E2E=1 $(NETNS) $(GO) test -race -count=1 -timeout 25m -p 1 $(BROWSER_PKGS)

fuzz:
	./scripts/fuzz.sh

build:
	$(GO) build -o govidu ./cmd/govidu

run:
	$(GO) run ./cmd/govidu
