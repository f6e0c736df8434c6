#!/usr/bin/env bash
# The whole test suite: static checks, then unit and integration tests in one node:test run.
# Installs and builds the test control plane on first use (cached afterwards).
# Test files run three at a time: the integration files mostly wait on analysis intervals, each on its own control
# plane, and three at once took 14 min instead of 26 on two cores with no failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-control-plane.sh
npm run --silent typecheck
npm run --silent lint
npm run --silent format:check
# The strict reporter fails the run for a skipped test, a file without tests, and a suite failure that node:test
# would exit 0 for (test/harness/strict-reporter.ts).
node --test --test-concurrency=3 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=./test/harness/strict-reporter.ts --test-reporter-destination=stderr \
  'src/**/*.test.ts' 'test/**/*.test.ts'
