#!/usr/bin/env bash
# The whole test suite: static checks, then unit and integration tests in one node:test run.
# Installs and builds the test control plane on first use (cached afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-control-plane.sh
npm run --silent typecheck
npm run --silent lint
npm run --silent format:check
node --test --test-concurrency=1 --test-reporter=spec 'src/**/*.test.ts' 'test/**/*.test.ts'
