#!/usr/bin/env node
import './node-check.js';

await import('../src/cli/grpc-health-probe.ts');
