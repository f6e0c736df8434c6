import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HEALTH_PROTO_PATH, provideHealthProto } from './health-proto.ts';

describe('health.proto for ghz', () => {
  let dir = '';
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'ghz-proto-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  it('is placed in the given directory, which is made if need be', async () => {
    const placed = await provideHealthProto(join(dir, 'ghz'));
    assert.equal(placed, join(dir, 'ghz', 'health.proto'));
    assert.equal(await readFile(placed, 'utf8'), await readFile(HEALTH_PROTO_PATH, 'utf8'));
    assert.match(await readFile(placed, 'utf8'), /^package grpc\.health\.v1;$/m);
  });

  it('leaves a file that is already there (one the user mounted)', async () => {
    const placed = join(dir, 'mounted', 'health.proto');
    await provideHealthProto(join(dir, 'mounted'));
    await writeFile(placed, '// mounted by the user\n');
    await provideHealthProto(join(dir, 'mounted'));
    assert.equal(await readFile(placed, 'utf8'), '// mounted by the user\n');
  });
});
