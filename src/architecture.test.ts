// The layers of ARCHITECTURE.md, checked: a module imports only from its own layer or from layers to its left.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = dirname(fileURLToPath(import.meta.url));

/** Each top-level folder's rank; shared code (api, util, logging, version.ts) is importable from anywhere. */
const RANK: Record<string, number> = {
  api: 0,
  util: 0,
  logging: 0,
  'version.ts': 0,
  kube: 1,
  targets: 2,
  routers: 2,
  metrics: 2,
  notifiers: 2,
  webhooks: 2,
  loadtester: 2,
  scheduler: 3,
  controller: 4,
  cli: 5,
  playground: 5,
  dashboard: 5,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The top-level folder (or file) of a path under src/. */
function layerOf(path: string): string {
  return relative(SRC, path).split(/[\\/]/)[0] ?? '';
}

describe('layers', () => {
  const files = sourceFiles(SRC);

  it('every top-level folder has a rank', () => {
    const unranked = [...new Set(files.map(layerOf))].filter(layer => RANK[layer] === undefined);
    assert.deepEqual(unranked, [], 'add the new folder to RANK and to ARCHITECTURE.md');
  });

  it('no module imports from a layer to its right', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      const imports = readFileSync(file, 'utf8').matchAll(/\bfrom '(\.{1,2}\/[^']+)'/g);
      for (const [, specifier = ''] of imports) {
        const target = resolve(dirname(file), specifier);
        if (relative(SRC, target).startsWith('..')) continue; // package.json, read for the version
        const to = layerOf(target);
        if ((RANK[to] ?? Infinity) > (RANK[from] ?? -1))
          wrong.push(`${relative(SRC, file)} imports ${specifier} (${from} → ${to})`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});
