# Canopy — the two commands for a fresh machine are `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
CANOPY  := .bin/canopy
UI      := web/ui
DEMO_EMAIL := owner@demo.canopy.local
E2E_PORT   := 18080

.PHONY: run test build ui ui-deps services stop demo e2e go-test ui-test chromium bench clean lint fuzz cluster haproxy \
	bench-load soak soak-smoke faults fault-postgres fault-minio fault-replica rolling-restart

## run: install what is missing, build, start PostgreSQL, MinIO and mailpit, create the demo login, serve
run: build services demo
	@echo
	@echo "  Canopy is starting on $${CANOPY_SERVER_PUBLIC_URL:-http://127.0.0.1:8080}  (Ctrl-C stops it; 'make stop' stops PostgreSQL, MinIO and mailpit)"
	@echo "  Its email (password resets, activation links) is at http://127.0.0.1:10026 (mailpit)"
	@echo "  Demo login:  $(DEMO_EMAIL)  /  $$(cat .data/demo-password)"
	@echo
	@CANOPY_INSTALLATION_ALLOW_ORG_CREATION=$${CANOPY_INSTALLATION_ALLOW_ORG_CREATION:-true} $(CANOPY) serve

## test: the whole suite — Go unit and integration tests (real PostgreSQL, MinIO and mailpit), UI unit tests, browser tests
test: build services
	$(MAKE) go-test
	$(MAKE) ui-test
	$(MAKE) e2e
	$(MAKE) soak-smoke

go-test: ui-deps
	go test -count=1 -timeout 25m ./...

ui-test: ui-deps
	cd $(UI) && npm test

# FUZZ_TARGETS are the Go fuzz tests, as package:function. Their seed corpora run in go-test;
# make fuzz explores beyond them, one target after another, FUZZTIME each.
FUZZTIME     ?= 20s
FUZZ_TARGETS := domain/text:FuzzName app/importer:FuzzParseCSV web/scim:FuzzParseFilter web/scim:FuzzParsePath web/server:FuzzBindJSON infra/textsearch:FuzzTextSearch

## fuzz: run each Go fuzz test for FUZZTIME (20s by default; make fuzz FUZZTIME=5m for longer)
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		echo "fuzz: $${t#*:} in ./$${t%%:*} for $(FUZZTIME)"; \
		go test -run '^$$' -fuzz "^$${t#*:}\$$" -fuzztime $(FUZZTIME) ./$${t%%:*} || exit 1; \
	done

## build: the UI, then the canopy binary with the UI embedded
build: ui
	go build -ldflags "-X main.version=$(VERSION)" -o $(CANOPY) ./cmd/canopy

ui-deps: $(UI)/node_modules/.package-lock.json

$(UI)/node_modules/.package-lock.json: $(UI)/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20+ and npm (Debian: apt-get install nodejs npm)"; exit 1; }
	cd $(UI) && npm ci --no-audit --no-fund
	@touch $@

ui: ui-deps
	cd $(UI) && npm run build

## services: start the project-local PostgreSQL, MinIO and mailpit (built into .bin the first time)
services:
	@mkdir -p .bin
	@test -x $(CANOPY) || go build -o $(CANOPY) ./cmd/canopy
	$(CANOPY) local up

## stop: stop the project-local PostgreSQL, MinIO and mailpit
stop:
	@test -x $(CANOPY) || go build -o $(CANOPY) ./cmd/canopy
	$(CANOPY) local down

demo:
	@test -s .data/demo-password || (umask 077; head -c 12 /dev/urandom | base64 | tr -d '/+=' | sed 's/^/Canopy-/' > .data/demo-password)
	@$(CANOPY) admin demo --email $(DEMO_EMAIL) --password-file .data/demo-password >/dev/null

chromium:
	@{ command -v chromium >/dev/null && fc-list :lang=zh 2>/dev/null | grep -q . ; } || { echo "installing Debian's chromium and a Chinese font for the browser tests"; apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

haproxy:
	@command -v haproxy >/dev/null || { echo "installing Debian's haproxy for make cluster"; apt-get update -qq && apt-get install -y -qq haproxy >/dev/null; }

## cluster: three canopy serve replicas on one PostgreSQL and MinIO (their own, under .data/cluster) behind haproxy;
## then configs/deploy/cluster.sh status|rolling-restart|kill N|start N|down
cluster: haproxy
	@test -f $(UI)/dist/index.html || $(MAKE) ui
	go build -ldflags "-X main.version=$(VERSION)" -o $(CANOPY) ./cmd/canopy
	configs/deploy/cluster.sh up

## e2e: the browser tests, in Debian's headless Chromium against a real canopy serve on a fresh database
e2e: build services chromium
	@mkdir -p test-output
	@export CANOPY_DATABASE_URL="$$($(CANOPY) local resetdb canopy_e2e)" \
	        CANOPY_SERVER_ADDRESS=127.0.0.1:$(E2E_PORT) CANOPY_SERVER_PUBLIC_URL=http://127.0.0.1:$(E2E_PORT) \
	        CANOPY_OBJECTSTORE_FILE_BUCKET=canopy-e2e CANOPY_LOG_LEVEL=warn CANOPY_METRICS_ADDRESS= \
	        CANOPY_INSTALLATION_ALLOW_ORG_CREATION=true CANOPY_LIMITS_API_PER_USER=1000000 CANOPY_LIMITS_API_PER_TOKEN=1000000 \
	        CANOPY_SMTP_HOST=127.0.0.1 CANOPY_SMTP_PORT=$${CANOPY_LOCAL_MAILPIT_SMTP_PORT:-10025} CANOPY_SMTP_TLS=none; \
	org=$$(printf '%s\n' 'Fern-Owner-e2e-7' | $(CANOPY) admin create-org --name "E2E Company" --owner-email owner@e2e.canopy.test --owner-password-file -); \
	$(CANOPY) admin assign-domain --org "$$org" --domain e2e.canopy.test >/dev/null; \
	$(CANOPY) serve > test-output/e2e-server.log 2>&1 & pid=$$!; \
	trap 'kill $$pid 2>/dev/null || true' EXIT; \
	for i in $$(seq 100); do curl -sf http://127.0.0.1:$(E2E_PORT)/readyz >/dev/null && break; sleep 0.2; done; \
	cd $(UI) && CANOPY_E2E_BASE_URL=http://127.0.0.1:$(E2E_PORT) CANOPY_E2E_OWNER_EMAIL=owner@e2e.canopy.test \
	        CANOPY_E2E_OWNER_PASSWORD='Fern-Owner-e2e-7' \
	        CANOPY_E2E_MAILPIT_URL=http://127.0.0.1:$${CANOPY_LOCAL_MAILPIT_HTTP_PORT:-10026} npm run e2e -- $(E2E_ARGS) 2>&1 \
	        | tee ../../test-output/e2e.log \
	        || { e2e/digest.sh ../../test-output/e2e.log ../../test-output/e2e-server.log; exit 1; }; \
	! grep -Eq '^ +[0-9]+ flaky$$' ../../test-output/e2e.log || e2e/digest.sh ../../test-output/e2e.log ../../test-output/e2e-server.log

## bench: Go benchmarks, then the mixed load on one replica and on three (bench-load); figures go to docs/performance.md
bench: build services haproxy
	@mkdir -p test-output
	go test -count=1 -p 1 -run '^$$' -bench . -benchtime 2s -benchmem ./... | tee test-output/bench.txt
	@echo "figures in test-output/bench.txt; record them in docs/performance.md"
	@echo "the directory's figures (bulk import, subtree listings; the last run of each):"
	@awk '{ i = index($$0, "FIGURE "); if (!i) next; f = substr($$0, i + 7); k = f; sub(/ \(.*/, "", k); sub(/:.*/, "", k); \
		if (!(k in last)) order[++n] = k; last[k] = f } END { for (j = 1; j <= n; j++) print "  " last[order[j]] }' test-output/bench.txt
	$(MAKE) bench-load

# LOADTEST runs configs/deploy/loadtest.sh on the cluster and stops the cluster afterwards,
# whatever the outcome (the script's own status is kept).
LOADTEST = trap 'configs/deploy/cluster.sh down >/dev/null 2>&1 || true' EXIT; configs/deploy/loadtest.sh

## bench-load: the mixed load against one replica, then three behind haproxy; figures to docs/performance.md
bench-load: haproxy
	@test -f $(UI)/dist/index.html || $(MAKE) ui
	@$(LOADTEST) bench

## soak: 30 minutes of the mixed load on three replicas (never in make test); figures to docs/performance.md
soak: haproxy
	@test -f $(UI)/dist/index.html || $(MAKE) ui
	@$(LOADTEST) soak 30m

# soak-smoke: the soak's one-minute functional version (accounting, no 5xx; no timing verdicts)
soak-smoke: haproxy
	@test -f $(UI)/dist/index.html || $(MAKE) ui
	@export SOAK_FUNCTIONAL=1 LOAD_WRITE_DOCS=0; $(LOADTEST) soak 1m

## faults: PostgreSQL down, MinIO killed, a replica killed, a rolling restart, each under load; to docs/operations.md
faults: fault-postgres fault-minio fault-replica rolling-restart

fault-postgres fault-minio fault-replica: haproxy
	@test -f $(UI)/dist/index.html || $(MAKE) ui
	@$(LOADTEST) fault $(@:fault-%=%)

rolling-restart: haproxy
	@test -f $(UI)/dist/index.html || $(MAKE) ui
	@$(LOADTEST) fault rolling

clean:
	rm -rf .bin bin test-output $(UI)/node_modules $(UI)/dist/assets $(UI)/dist/index.html
