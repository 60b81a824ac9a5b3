# Developer entry points. Each target installs dependencies first when package-lock.json changed.
.DEFAULT_GOAL := help
NPM_STAMP := node_modules/.package-lock.json

.PHONY: help install generate lint breaking baseline build test run bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(NPM_STAMP): package.json package-lock.json
	npm ci

install: $(NPM_STAMP) ## Install dependencies from the lockfile

generate: $(NPM_STAMP) ## Regenerate src/gen from proto/ (buf generate)
	npm run generate

lint: $(NPM_STAMP) ## buf lint, buf breaking, type check and layer check
	npx buf lint
	npm run --silent breaking
	npm run --silent build

breaking: $(NPM_STAMP) ## Check proto/ for breaking changes against the released baseline
	npm run --silent breaking

baseline: $(NPM_STAMP) ## Record proto/ as the released contract (do this when releasing)
	npx buf build --exclude-source-info -o proto/breaking-baseline.binpb

build: $(NPM_STAMP) ## Compile to dist/ and check the layers
	npm run build

test: $(NPM_STAMP) ## Run the whole test suite, as CI does
	npm test

run: build ## Build, then start the service (embedded PostgreSQL unless DATABASE_URL is set)
	npm start

bench: $(NPM_STAMP) ## Run the benchmarks (prints a table, writes JSON to bench/results/)
	npm run bench

clean: ## Remove build output (keeps the embedded database in .data/)
	rm -rf dist
