// One SignalFlow computation over Splunk Observability's WebSocket API, as Flagger's client (signalflow-client-go)
// runs it: connect to <stream URL>/connect, authenticate with the token, execute the program on one channel and
// collect the data payloads until the channel ends. Data comes as binary messages (a 20-byte header, then a
// timestamp, a count and 17-byte payloads), everything else as JSON text. Unlike the Go client, the whole
// computation has a deadline and a bounded size: a stream that never ends the channel would otherwise be read
// (and kept) for as long as it sends.
import { gunzipSync } from 'node:zlib';
import { Agent, WebSocket } from 'undici';
import { MAX_RESPONSE_BYTES } from '../../util/http.ts';

/** A datapoint of one time series; payloads without a value are dropped, as Flagger does. */
export interface DataPayload {
  /** The time series id (8 bytes, hex). */
  tsid: string;
  value: number;
}

export interface ComputationRequest {
  /** ws(s)://.../v2/signalflow */
  streamUrl: string;
  token: string;
  program: string;
  startMs: number;
  stopMs: number;
  /** Limit for connecting, authenticating and starting the computation. */
  startTimeoutMs: number;
  /** Limit for the whole computation, from connecting to the end of its channel. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

const CHANNEL = 'ch-1';
const HEADER_BYTES = 20;
const DATA_HEADER_BYTES = 12;
const PAYLOAD_BYTES = 17;
const FLAG_COMPRESSED = 0b01;
const FLAG_JSON = 0b10;
const DATA_MESSAGE = 5;
const LIMIT_MIB = MAX_RESPONSE_BYTES / 1024 ** 2;

// Refuses a single message beyond the limit before buffering it (undici's default is 128 MiB).
let bounded: Agent | undefined;
const boundedAgent = (): Agent =>
  (bounded ??= new Agent({ webSocket: { maxPayloadSize: MAX_RESPONSE_BYTES } }));

/** Runs the program and resolves with every payload of the channel, in the order received. */
export function runComputation(request: ComputationRequest): Promise<DataPayload[]> {
  if (request.signal?.aborted === true) return Promise.reject(new Error('splunk signalflow query aborted'));
  return new Promise((resolve, reject) => {
    const payloads: DataPayload[] = [];
    const socket = new WebSocket(`${request.streamUrl.replace(/\/+$/, '')}/connect`, {
      dispatcher: boundedAgent(),
    });
    socket.binaryType = 'arraybuffer';
    let settled = false;
    let opened = false;
    let received = 0;
    const fail = (what: string) => finish(new Error(`splunk signalflow ${what}`));
    const startTimer = setTimeout(
      () => fail('timeout: the computation did not start'),
      request.startTimeoutMs,
    );
    const endTimer = setTimeout(() => fail('timeout: the computation did not end'), request.timeoutMs);
    const onAbort = (): void => fail('query aborted');
    const finish = (outcome: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(startTimer);
      clearTimeout(endTimer);
      request.signal?.removeEventListener('abort', onAbort);
      socket.close(1000);
      if (outcome === undefined) resolve(payloads);
      else reject(outcome);
    };
    const onJson = (message: unknown): void => {
      const step = textStep(message);
      if (step === 'authenticated') {
        socket.send(JSON.stringify(executeRequest(request)));
        clearTimeout(startTimer);
      } else if (step === 'end') finish(undefined);
      else if (step instanceof Error) finish(step);
    };
    request.signal?.addEventListener('abort', onAbort, { once: true });
    socket.addEventListener('open', () => {
      opened = true;
      socket.send(JSON.stringify({ type: 'authenticate', token: request.token }));
    });
    socket.addEventListener('message', event => {
      if (settled) return;
      received += messageBytes(event.data);
      if (received > MAX_RESPONSE_BYTES) {
        fail(`answer larger than ${LIMIT_MIB} MiB`);
        return;
      }
      try {
        const decoded = decodeMessage(event.data);
        if (decoded.kind === 'json') onJson(decoded.message);
        else if (decoded.channel === CHANNEL) payloads.push(...decoded.payloads);
      } catch (err) {
        fail(`invalid message: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
    // undici says nothing of why (the status of a refused upgrade, a message over the limit): only when.
    socket.addEventListener('error', () =>
      fail(
        opened
          ? `connection failed: lost, or a message larger than ${LIMIT_MIB} MiB`
          : 'connection failed: the WebSocket was not opened (unreachable, or an answer other than 101)',
      ),
    );
    socket.addEventListener('close', event =>
      fail(`connection closed before the computation ended (code ${event.code})`),
    );
  });
}

function messageBytes(data: unknown): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  return data instanceof ArrayBuffer ? data.byteLength : 0;
}

/** Flagger's execute request: its fields exactly as signalflow-client-go serializes them. */
function executeRequest(request: ComputationRequest): Record<string, unknown> {
  return {
    type: 'execute',
    program: request.program,
    channel: CHANNEL,
    start: request.startMs,
    stop: request.stopMs,
    resolution: 0,
    maxDelay: 0,
    immediate: true,
    timezone: '',
  };
}

/** What a JSON message means for the computation; undefined for messages that do not matter here. */
function textStep(message: unknown): 'authenticated' | 'end' | Error | undefined {
  const { type, channel, event } = (typeof message === 'object' && message !== null ? message : {}) as Record<
    string,
    unknown
  >;
  if (type === 'authenticated') return 'authenticated';
  // Messages of another channel are not ours; errors without a channel are about the connection (bad token).
  if (channel !== undefined && channel !== CHANNEL) return undefined;
  if (type === 'error') return new Error(`splunk error executing query: ${computationError(message)}`);
  if (type !== 'control-message') return undefined;
  if (event === 'END_OF_CHANNEL') return 'end';
  // Flagger's client ends the data on an abort as on a normal end; an aborted computation is an error here.
  if (event === 'CHANNEL_ABORT') {
    const info = (message as { abortInfo?: unknown }).abortInfo;
    return new Error(`splunk computation aborted: ${JSON.stringify(info ?? {})}`);
  }
  return undefined;
}

/** signalflow-client-go's text for an error message: "<code> (<errorType>): <message>". */
function computationError(message: unknown): string {
  const { error, errorType, message: text } = message as Record<string, unknown>;
  let out = typeof error === 'number' ? String(error) : '0';
  if (typeof errorType === 'string' && errorType !== '') out = `${out} (${errorType})`;
  if (typeof text === 'string' && text !== '') out = `${out}: ${text}`;
  return out;
}

type Decoded =
  { kind: 'json'; message: unknown } | { kind: 'data'; channel: string; payloads: DataPayload[] };

/** Decodes a text or binary WebSocket message. */
export function decodeMessage(data: unknown): Decoded {
  if (typeof data === 'string') return { kind: 'json', message: JSON.parse(data) };
  const bytes = Buffer.from(data instanceof ArrayBuffer ? data : new ArrayBuffer(0));
  if (bytes.length <= HEADER_BYTES) {
    throw new Error(`expected SignalFlow message of at least 21 bytes, got ${bytes.length} bytes`);
  }
  const version = bytes.readUInt8(0);
  if (version !== 1) throw new Error(`unsupported SignalFlow binary message version ${version}`);
  const type = bytes.readUInt8(1);
  const flags = bytes.readUInt8(2);
  const channelBytes = bytes.subarray(4, HEADER_BYTES);
  const end = channelBytes.indexOf(0);
  const channel = channelBytes.subarray(0, end === -1 ? undefined : end).toString('utf8');
  let rest = bytes.subarray(HEADER_BYTES);
  if ((flags & FLAG_COMPRESSED) !== 0) rest = gunzipSync(rest);
  if ((flags & FLAG_JSON) !== 0) return { kind: 'json', message: JSON.parse(rest.toString('utf8')) };
  if (type !== DATA_MESSAGE) return { kind: 'data', channel, payloads: [] };
  return { kind: 'data', channel, payloads: decodePayloads(rest) };
}

function decodePayloads(data: Buffer): DataPayload[] {
  if (data.length < DATA_HEADER_BYTES) throw new Error('truncated SignalFlow data message');
  const count = data.readUInt32BE(8);
  if (data.length < DATA_HEADER_BYTES + count * PAYLOAD_BYTES)
    throw new Error('truncated SignalFlow data message');
  const payloads: DataPayload[] = [];
  for (let i = 0; i < count; i++) {
    const at = DATA_HEADER_BYTES + i * PAYLOAD_BYTES;
    const value = payloadValue(data.readUInt8(at), data.subarray(at + 9, at + PAYLOAD_BYTES));
    if (value !== undefined) payloads.push({ tsid: data.toString('hex', at + 1, at + 9), value });
  }
  return payloads;
}

/** A payload's value by its type: 1 long, 2 double, 3 int (the first 4 of the 8 bytes); anything else none. */
function payloadValue(type: number, value: Buffer): number | undefined {
  if (type === 1) return Number(value.readBigInt64BE(0));
  if (type === 2) return value.readDoubleBE(0);
  if (type === 3) return value.readInt32BE(0);
  return undefined;
}
