// A load tester server on 127.0.0.1 for tests, with its JSON log lines kept for assertions.
import { jsonLogSink } from './json-log.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { MemoryGateStore, type GateStore } from '../../src/loadtester/gate-store.ts';
import { LoadTesterServer, type LoadTesterOptions } from '../../src/loadtester/server.ts';

export interface Tester {
  server: LoadTesterServer;
  url: string;
  logs: Record<string, unknown>[];
}

/** Starts a load tester (in-memory gates unless given) and adds it to `started`, for the caller to stop. */
export async function startTester(
  started: LoadTesterServer[],
  options: Partial<LoadTesterOptions> & { gates?: GateStore } = {},
): Promise<Tester> {
  const logs: Record<string, unknown>[] = [];
  const destination = jsonLogSink(logs);
  const server = await LoadTesterServer.start({
    port: 0,
    host: '127.0.0.1',
    timeoutMs: 60_000,
    gates: new MemoryGateStore(),
    logger: createLogger({ level: 'debug', destination }),
    shutdownGraceMs: 1_000,
    ...options,
  });
  started.push(server);
  return { server, url: `http://127.0.0.1:${String(server.port)}`, logs };
}
