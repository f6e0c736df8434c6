import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dataMessage, FakeSignalFlow, streamData } from '../../../test/harness/fake-signalflow.ts';
import { decodeMessage, runComputation, type ComputationRequest } from './signalflow.ts';

const arrayBuffer = (bytes: Buffer): ArrayBuffer => new Uint8Array(bytes).buffer;

describe('decodeMessage', () => {
  it('reads text messages as JSON', () => {
    assert.deepEqual(decodeMessage('{"type":"authenticated"}'), {
      kind: 'json',
      message: { type: 'authenticated' },
    });
  });

  it('reads the channel and every typed payload of a data message, dropping payloads without a value', () => {
    const message = dataMessage('ch-1', [
      { type: 2, tsid: 0xabn, value: 99.5 },
      { type: 1, tsid: 0xacn, value: -7 },
      { type: 3, tsid: 0xadn, value: 42 },
      { type: 0, tsid: 0xaen, value: 0 },
    ]);
    assert.deepEqual(decodeMessage(arrayBuffer(message)), {
      kind: 'data',
      channel: 'ch-1',
      payloads: [
        { tsid: '00000000000000ab', value: 99.5 },
        { tsid: '00000000000000ac', value: -7 },
        { tsid: '00000000000000ad', value: 42 },
      ],
    });
  });

  it('reads gzip-compressed data and JSON sent as binary', () => {
    const compressed = dataMessage('ch-1', [{ type: 2, tsid: 1n, value: 1.25 }], { compressed: true });
    assert.deepEqual(decodeMessage(arrayBuffer(compressed)), {
      kind: 'data',
      channel: 'ch-1',
      payloads: [{ tsid: '0000000000000001', value: 1.25 }],
    });
    const json = Buffer.concat([Buffer.from([1, 5, 0b10, 0]), Buffer.alloc(16), Buffer.from('{"type":"x"}')]);
    assert.deepEqual(decodeMessage(arrayBuffer(json)), { kind: 'json', message: { type: 'x' } });
  });

  it('rejects short, truncated and unknown-version messages', () => {
    assert.throws(() => decodeMessage(arrayBuffer(Buffer.alloc(20))), /at least 21 bytes, got 20 bytes/);
    const truncated = dataMessage('ch-1', [{ type: 2, tsid: 1n, value: 1 }]).subarray(0, 40);
    assert.throws(() => decodeMessage(arrayBuffer(truncated)), /truncated SignalFlow data message/);
    const v2 = dataMessage('ch-1', []);
    v2.writeUInt8(2, 0);
    assert.throws(() => decodeMessage(arrayBuffer(v2)), /unsupported SignalFlow binary message version 2/);
  });
});

describe('runComputation', () => {
  let backend: FakeSignalFlow;
  before(async () => (backend = await FakeSignalFlow.start('sf-token')));
  after(() => backend.stop());

  const request = (overrides: Partial<ComputationRequest> = {}): ComputationRequest => ({
    streamUrl: `${backend.api.url.replace('http', 'ws')}/v2/signalflow`,
    token: 'sf-token',
    program: "data('requests').sum().publish()",
    startMs: 1_000,
    stopMs: 601_000,
    startTimeoutMs: 5_000,
    timeoutMs: 5_000,
    ...overrides,
  });

  it('connects to <stream>/connect, authenticates and sends the execute request as Flagger does', async () => {
    backend.script = (peer, execute) =>
      streamData(peer, execute.channel, [[{ type: 2, tsid: 1n, value: 3 }]]);
    assert.deepEqual(await runComputation(request()), [{ tsid: '0000000000000001', value: 3 }]);
    assert.equal(backend.connectPaths.at(-1), '/v2/signalflow/connect');
    assert.deepEqual(backend.executes.at(-1), {
      type: 'execute',
      program: "data('requests').sum().publish()",
      channel: 'ch-1',
      start: 1_000,
      stop: 601_000,
      resolution: 0,
      maxDelay: 0,
      immediate: true,
      timezone: '',
    });
  });

  it('collects the payloads of every data message of its channel only', async () => {
    backend.script = (peer, execute) => {
      peer.sendBinary(dataMessage('ch-9', [{ type: 2, tsid: 9n, value: 9 }]));
      streamData(peer, execute.channel, [
        [{ type: 2, tsid: 1n, value: 1 }],
        [],
        [{ type: 2, tsid: 1n, value: 2 }],
      ]);
    };
    assert.deepEqual(
      (await runComputation(request())).map(p => p.value),
      [1, 2],
    );
  });

  it('fails on a rejected token, without the token in the message', async () => {
    await assert.rejects(runComputation(request({ token: 'wrong-token' })), (err: Error) => {
      assert.equal(err.message, 'splunk error executing query: 401 (UNAUTHORIZED): Invalid auth token');
      return true;
    });
  });

  it('fails on an error message of the channel and on an aborted computation', async () => {
    backend.script = (peer, execute) =>
      peer.sendText(
        JSON.stringify({ type: 'error', channel: execute.channel, error: 400, message: 'bad program' }),
      );
    await assert.rejects(
      runComputation(request()),
      /^Error: splunk error executing query: 400: bad program$/,
    );
    backend.script = (peer, execute) =>
      peer.sendText(
        JSON.stringify({
          type: 'control-message',
          channel: execute.channel,
          event: 'CHANNEL_ABORT',
          abortInfo: { s: 1 },
        }),
      );
    await assert.rejects(runComputation(request()), /^Error: splunk computation aborted: \{"s":1\}$/);
  });

  it('fails when the connection closes before the end of the channel', async () => {
    backend.script = peer => peer.close(1011);
    await assert.rejects(
      runComputation(request()),
      /connection closed before the computation ended \(code 1011\)/,
    );
  });

  it('fails when the computation goes silent, or does not end in time', async () => {
    backend.script = () => undefined;
    await assert.rejects(
      runComputation(request({ timeoutMs: 20 })),
      /^Error: splunk signalflow timeout: the computation did not end$/,
    );
  });

  it('stops reading a stream that never ends its channel beyond 10 MiB', async () => {
    backend.script = (peer, execute) => {
      const points = Array.from({ length: 1000 }, () => ({ type: 2, tsid: 1n, value: 1 }));
      const message = dataMessage(execute.channel, points);
      const send = () => {
        while (!peer.socket.destroyed && peer.sendBinary(message));
      };
      peer.socket.on('drain', send);
      send();
    };
    await assert.rejects(runComputation(request()), /^Error: splunk signalflow answer larger than 10 MiB$/);
  });

  it('refuses a single message beyond 10 MiB, and names an undecodable one', async () => {
    backend.script = peer => peer.sendBinary(Buffer.alloc(11 * 1024 * 1024));
    await assert.rejects(
      runComputation(request()),
      /^Error: splunk signalflow connection failed: lost, or a message larger than 10 MiB$/,
    );
    backend.script = peer => peer.sendBinary(Buffer.from([7, ...Buffer.alloc(24)]));
    await assert.rejects(
      runComputation(request()),
      /^Error: splunk signalflow invalid message: unsupported SignalFlow binary message version 7$/,
    );
  });

  it('fails when the stream cannot be reached, or on abort', async () => {
    await assert.rejects(
      runComputation(request({ streamUrl: 'ws://127.0.0.1:1/v2/signalflow' })),
      /connection/,
    );
    await assert.rejects(
      runComputation(request({ signal: AbortSignal.abort() })),
      /splunk signalflow query aborted/,
    );
  });
});
