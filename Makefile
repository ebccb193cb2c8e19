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

# -race everywhere: most packages own goroutines.
unit:
	GOVIDU_REQUIRE_COMPAT=1 GOVIDU_REQUIRE_E2E=1 $(GO) test -race -count=1 -timeout 20m ./...

fuzz:
	./scripts/fuzz.sh

build:
	$(GO) build -o govidu ./cmd/govidu

run:
	$(GO) run ./cmd/govidu
