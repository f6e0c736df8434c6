// A stand-in for Splunk Observability's SignalFlow WebSocket API (GET /v2/signalflow/connect) and its REST health
// endpoint, for the Splunk provider tests. It checks the token of the authenticate message, records every execute
// request and answers it with the test's script; data messages are encoded as the service encodes them.
import { gzipSync } from 'node:zlib';
import { FakeApi, type Handler, type WsPeer } from './fake-api.ts';

export interface ExecuteMessage {
  type: 'execute';
  program: string;
  channel: string;
  start: number;
  stop: number;
  immediate: boolean;
  [key: string]: unknown;
}

/** Answers one execute request; `peer` is the connection, `execute` what the client sent. */
export type Script = (peer: WsPeer, execute: ExecuteMessage) => void;

export interface Point {
  /** 1 long, 2 double, 3 int, 0 no value. */
  type: number;
  tsid: bigint;
  value: number;
}

export class FakeSignalFlow {
  readonly executes: ExecuteMessage[] = [];
  readonly connectPaths: string[] = [];
  script: Script = () => undefined;
  readonly token: string;
  #api: FakeApi | undefined;

  private constructor(token: string) {
    this.token = token;
  }

  static async start(
    token: string,
    rest: Handler = () => ({ body: { results: [] } }),
  ): Promise<FakeSignalFlow> {
    const backend = new FakeSignalFlow(token);
    backend.#api = await FakeApi.start(rest, peer => backend.accept(peer));
    return backend;
  }

  /** The server: its URL (http://127.0.0.1:<port>) and the HTTP requests it received. */
  get api(): FakeApi {
    if (this.#api === undefined) throw new Error('not started');
    return this.#api;
  }

  stop(): Promise<void> {
    return this.api.stop();
  }

  private accept(peer: WsPeer): void {
    this.connectPaths.push(peer.request.url.pathname);
    peer.onMessage(data => {
      const message = JSON.parse(data.toString()) as { type?: string; token?: string };
      if (message.type === 'authenticate' && message.token === this.token) {
        peer.sendText('{"type":"authenticated","orgId":"o","userId":"u"}');
      } else if (message.type === 'authenticate') {
        peer.sendText(
          '{"type":"error","error":401,"errorType":"UNAUTHORIZED","message":"Invalid auth token"}',
        );
        peer.close(4401);
      }
      if (message.type === 'execute') {
        const execute = message as ExecuteMessage;
        this.executes.push(execute);
        this.script(peer, execute);
      }
    });
  }
}

/** The control messages of a job that starts, then the given data, then END_OF_CHANNEL. */
export function streamData(peer: WsPeer, channel: string, batches: Point[][]): void {
  peer.sendText(JSON.stringify({ type: 'control-message', channel, event: 'STREAM_START' }));
  peer.sendText(JSON.stringify({ type: 'control-message', channel, event: 'JOB_START', handle: 'h1' }));
  peer.sendText(JSON.stringify({ type: 'control-message', event: 'KEEP_ALIVE', timestampMs: 1 }));
  batches.forEach((points, i) => peer.sendBinary(dataMessage(channel, points, { timestampMs: 1000 * i })));
  peer.sendText(JSON.stringify({ type: 'control-message', channel, event: 'END_OF_CHANNEL' }));
}

/** A version 1 binary data message (type 5); optionally gzip-compressed. */
export function dataMessage(
  channel: string,
  points: Point[],
  options: { timestampMs?: number; compressed?: boolean } = {},
): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt8(1, 0);
  header.writeUInt8(5, 1);
  header.writeUInt8(options.compressed === true ? 1 : 0, 2);
  header.write(channel, 4, 16, 'utf8');
  const body = Buffer.alloc(12 + 17 * points.length);
  body.writeBigInt64BE(BigInt(options.timestampMs ?? 0), 0);
  body.writeUInt32BE(points.length, 8);
  points.forEach((point, i) => {
    const at = 12 + 17 * i;
    body.writeUInt8(point.type, at);
    body.writeBigUInt64BE(point.tsid, at + 1);
    if (point.type === 1) body.writeBigInt64BE(BigInt(point.value), at + 9);
    if (point.type === 2) body.writeDoubleBE(point.value, at + 9);
    if (point.type === 3) body.writeInt32BE(point.value, at + 9);
  });
  return Buffer.concat([header, options.compressed === true ? gzipSync(body) : body]);
}
