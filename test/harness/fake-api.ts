// A stand-in for a metrics backend's API on 127.0.0.1, for the metric provider tests: records every HTTP request
// (method, URL, headers, body) and answers it with the test's handler; optionally accepts WebSocket connections
// (RFC 6455, unfragmented frames, enough for SignalFlow) and hands each one to the test.
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status?: number;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (request: RecordedRequest) => Reply;

/** One accepted WebSocket connection, seen from the server. */
export interface WsPeer {
  readonly request: RecordedRequest;
  /** The connection, for a sender that waits for 'drain' or stops once it is closed. */
  readonly socket: Duplex;
  /** Called with each text or binary message the client sends. */
  onMessage(listener: (data: Buffer, binary: boolean) => void): void;
  /** Each returns false when the socket buffers are full. */
  sendText(text: string): boolean;
  sendBinary(data: Uint8Array): boolean;
  close(code?: number): void;
}

export class FakeApi {
  readonly requests: RecordedRequest[] = [];
  url = '';
  private readonly server: Server;

  private constructor(handler: Handler, onWebSocket?: (peer: WsPeer) => void) {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const recorded = this.record(req.method ?? 'GET', req.url ?? '/', req.headers, body);
        const reply = handler(recorded);
        const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
        res.writeHead(reply.status ?? 200, reply.headers).end(text);
      });
    });
    this.server.on('upgrade', (req, socket: Duplex) => {
      const recorded = this.record(req.method ?? 'GET', req.url ?? '/', req.headers, '');
      if (onWebSocket === undefined) return void socket.destroy();
      onWebSocket(acceptWebSocket(socket, recorded));
    });
  }

  /** Starts a server on a free port of 127.0.0.1. */
  static async start(handler: Handler, onWebSocket?: (peer: WsPeer) => void): Promise<FakeApi> {
    const api = new FakeApi(handler, onWebSocket);
    await new Promise<void>(resolve => api.server.listen(0, '127.0.0.1', resolve));
    const address = api.server.address();
    api.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return api;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  private record(method: string, path: string, headers: IncomingHttpHeaders, body: string): RecordedRequest {
    const recorded = { method, url: new URL(path, this.url), headers, body };
    this.requests.push(recorded);
    return recorded;
  }
}

const OPCODE = { text: 0x1, binary: 0x2, close: 0x8 } as const;

/** Completes the opening handshake of an upgrade request and returns the connection as a peer. */
export function acceptWebSocket(socket: Duplex, request: RecordedRequest): WsPeer {
  const accept = createHash('sha1')
    .update(`${String(request.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
    .digest('base64');
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  return wsPeer(socket, request);
}

function wsPeer(socket: Duplex, request: RecordedRequest): WsPeer {
  const listeners: ((data: Buffer, binary: boolean) => void)[] = [];
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (let frame = readFrame(pending); frame !== undefined; frame = readFrame(pending)) {
      pending = pending.subarray(frame.size);
      if (frame.opcode === OPCODE.close) return void socket.end(frameBytes(OPCODE.close, frame.payload));
      if (frame.opcode === OPCODE.text || frame.opcode === OPCODE.binary) {
        for (const listener of listeners) listener(frame.payload, frame.opcode === OPCODE.binary);
      }
    }
  });
  socket.on('error', () => socket.destroy());
  return {
    request,
    socket,
    onMessage: listener => listeners.push(listener),
    sendText: text => socket.write(frameBytes(OPCODE.text, Buffer.from(text))),
    sendBinary: data => socket.write(frameBytes(OPCODE.binary, Buffer.from(data))),
    close: (code = 1000) => {
      const payload = Buffer.alloc(2);
      payload.writeUInt16BE(code);
      socket.end(frameBytes(OPCODE.close, payload));
    },
  };
}

/** One complete client frame at the start of `data` (clients always mask), or undefined when more is needed. */
function readFrame(data: Buffer): { opcode: number; payload: Buffer; size: number } | undefined {
  if (data.length < 2) return undefined;
  const opcode = data.readUInt8(0) & 0x0f;
  let length = data.readUInt8(1) & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (data.length < 4) return undefined;
    length = data.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (data.length < 10) return undefined;
    length = Number(data.readBigUInt64BE(2));
    offset = 10;
  }
  if (data.length < offset + 4 + length) return undefined;
  const mask = data.subarray(offset, offset + 4);
  const payload = Buffer.from(data.subarray(offset + 4, offset + 4 + length));
  for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i % 4]!;
  return { opcode, payload, size: offset + 4 + length };
}

/** A final, unmasked server frame. */
function frameBytes(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0x80 | opcode, length])
      : length < 65536
        ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigEndian64(length)]);
  return Buffer.concat([header, payload]);
}

function bigEndian64(value: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(value));
  return bytes;
}
