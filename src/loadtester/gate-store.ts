// Where gate states live. Flagger keeps them in memory, so a restarted load tester forgets every opened gate
// and every requested rollback; the file and ConfigMap stores keep them across restarts (the ConfigMap one also
// shares them between replicas).
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface GateStore {
  /** Human-readable, for the startup log. */
  readonly description: string;
  /** Whether the gate is open; undefined when it was never set. */
  get(key: string): Promise<boolean | undefined>;
  /** Records the gate's state; resolves once it is stored. */
  set(key: string, open: boolean): Promise<void>;
}

/** Flagger's "in-memory" backend. */
export class MemoryGateStore implements GateStore {
  readonly description = 'in-memory';
  private readonly gates = new Map<string, boolean>();

  get(key: string): Promise<boolean | undefined> {
    return Promise.resolve(this.gates.get(key));
  }

  set(key: string, open: boolean): Promise<void> {
    this.gates.set(key, open);
    return Promise.resolve();
  }
}

/**
 * A JSON file `{ "<key>": true|false }`, read once at start and rewritten on every change. Writes go to a
 * temporary file that is flushed and renamed over the old one, so a crash leaves either state, never half of
 * one; changes are applied one at a time, so concurrent requests cannot lose each other's updates.
 */
export class FileGateStore implements GateStore {
  readonly description: string;
  private readonly path: string;
  private gates: Map<string, boolean>;
  private queue: Promise<void> = Promise.resolve();

  private constructor(path: string, gates: Map<string, boolean>) {
    this.path = path;
    this.gates = gates;
    this.description = `file ${path}`;
  }

  /** Loads the file (absent means no gates); a file that is not a map of booleans is an error. */
  static async open(path: string): Promise<FileGateStore> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new FileGateStore(path, new Map());
      throw err;
    }
    return new FileGateStore(path, parseGates(text, path));
  }

  get(key: string): Promise<boolean | undefined> {
    return Promise.resolve(this.gates.get(key));
  }

  set(key: string, open: boolean): Promise<void> {
    const write = this.queue.then(async () => {
      const next = new Map(this.gates).set(key, open);
      await writeAtomically(this.path, serialise(next));
      this.gates = next;
    });
    // The chain goes on after a failed write; the caller still sees its own failure.
    this.queue = write.catch(() => undefined);
    return write;
  }
}

/** Parses the stored JSON map; throws naming `source` when it is not one. */
export function parseGates(text: string, source: string): Map<string, boolean> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`gate store ${source} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(`gate store ${source} is not a JSON object`);
  const gates = new Map<string, boolean>();
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'boolean') throw new Error(`gate store ${source}: ${key} is not true or false`);
    gates.set(key, value);
  }
  return gates;
}

/** The map as sorted, indented JSON (stable, readable, diffable). */
export function serialise(gates: ReadonlyMap<string, boolean>): string {
  const sorted = Object.fromEntries([...gates].sort(([a], [b]) => a.localeCompare(b)));
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
  await syncDirectory(dirname(path));
}

/** Makes the rename durable; some file systems cannot sync a directory, which is not worth failing for. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort.
  }
}
