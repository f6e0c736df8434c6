import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileGateStore, MemoryGateStore, parseGates, serialise } from './gate-store.ts';
import { gateKey, Gates } from './gates.ts';

describe('gates', () => {
  it('keys gates like Flagger: <name>.<namespace> and rollback.<name>.<namespace>', () => {
    assert.equal(gateKey('gate', 'podinfo', 'test'), 'podinfo.test');
    assert.equal(gateKey('rollback', 'podinfo', 'test'), 'rollback.podinfo.test');
  });

  it('treats a gate never set as closed', async () => {
    const gates = new Gates(new MemoryGateStore());
    assert.equal(await gates.isOpen('podinfo.test'), false);
    await gates.open('podinfo.test');
    assert.equal(await gates.isOpen('podinfo.test'), true);
    assert.equal(await gates.isOpen('rollback.podinfo.test'), false);
    await gates.close('podinfo.test');
    assert.equal(await gates.isOpen('podinfo.test'), false);
  });
});

describe('FileGateStore', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'gates-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  it('starts empty without a file and creates missing directories', async () => {
    const path = join(dir, 'a', 'b', 'gates.json');
    const store = await FileGateStore.open(path);
    assert.equal(await store.get('podinfo.test'), undefined);
    await store.set('podinfo.test', true);
    assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), { 'podinfo.test': true });
  });

  it('keeps every change of concurrent writers, and a reopened store sees them', async () => {
    const path = join(dir, 'concurrent.json');
    const store = await FileGateStore.open(path);
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.set(`canary-${i}.test`, i % 2 === 0)));
    const reopened = await FileGateStore.open(path);
    for (let i = 0; i < 50; i++) assert.equal(await reopened.get(`canary-${i}.test`), i % 2 === 0);
    assert.deepEqual(
      (await readdir(dir)).filter(f => f.endsWith('.tmp')),
      [],
      'temporary files are renamed or removed',
    );
  });

  it('applies changes in call order', async () => {
    const store = await FileGateStore.open(join(dir, 'order.json'));
    await Promise.all([store.set('g', true), store.set('g', false), store.set('g', true)]);
    assert.equal(await store.get('g'), true);
  });

  it('refuses a corrupt file instead of guessing', async () => {
    const path = join(dir, 'corrupt.json');
    await writeFile(path, '{"podinfo.test": tru');
    await assert.rejects(FileGateStore.open(path), /is not JSON/);
    await writeFile(path, '{"podinfo.test": "yes"}');
    await assert.rejects(FileGateStore.open(path), /is not true or false/);
  });

  it('fails a write it cannot make and keeps the last stored state', async () => {
    const blocker = join(dir, 'file-not-dir');
    const store = await FileGateStore.open(join(blocker, 'gates.json'));
    // The directory cannot be created once a file has its name.
    await writeFile(blocker, '');
    await assert.rejects(store.set('g', true));
    assert.equal(await store.get('g'), undefined);
  });

  it('serialises sorted, readable JSON and parses it back', () => {
    const gates = new Map([
      ['rollback.b.test', false],
      ['a.test', true],
    ]);
    const text = serialise(gates);
    assert.equal(text, '{\n  "a.test": true,\n  "rollback.b.test": false\n}\n');
    assert.deepEqual(parseGates(text, 'x'), new Map([...gates].sort()));
    assert.throws(() => parseGates('[]', 'x'), /not a JSON object/);
  });
});
