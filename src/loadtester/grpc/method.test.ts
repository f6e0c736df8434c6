import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GhzRunError } from './ghz-config.ts';
import { HEALTH_PROTO_PATH } from './health-proto.ts';
import { healthCheckMethod } from './health-service.ts';
import { methodFromProtoFile, parseCall } from './method.ts';

describe('ghz methods', () => {
  let dir = '';
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'ghz-method-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  const calls: [string, { service: string; method: string }][] = [
    ['grpc.health.v1.Health/Check', { service: 'grpc.health.v1.Health', method: 'Check' }],
    ['grpc.health.v1.Health.Check', { service: 'grpc.health.v1.Health', method: 'Check' }],
    ['.helloworld.Greeter/SayHello', { service: 'helloworld.Greeter', method: 'SayHello' }],
    ['Greeter.SayHello', { service: 'Greeter', method: 'SayHello' }],
  ];
  for (const [call, expected] of calls) {
    it(`reads the call ${call}`, () => assert.deepEqual(parseCall(call), expected));
  }

  const badCalls: [string, string][] = [
    ['', 'no method name specified'],
    ['.', 'no method name specified'],
    ['Check', 'method name must be package.Service.Method or package.Service/Method: "Check"'],
    ['a/b/c', 'method name must be package.Service.Method or package.Service/Method: "a/b/c"'],
  ];
  for (const [call, message] of badCalls) {
    it(`refuses the call ${JSON.stringify(call)}`, () => {
      assert.throws(
        () => parseCall(call),
        (err: unknown) => err instanceof GhzRunError && err.message === message,
      );
    });
  }

  it('finds a method in a .proto file and encodes its JSON data like the generated code', () => {
    const method = methodFromProtoFile('grpc.health.v1.Health/Check', HEALTH_PROTO_PATH, ['.']);
    assert.equal(method.path, '/grpc.health.v1.Health/Check');
    assert.deepEqual([method.clientStreaming, method.serverStreaming], [false, false]);
    const encoded = method.serialize({ service: 'podinfo' });
    const check = healthCheckMethod();
    assert.deepEqual(check.requestDeserialize(encoded), { service: 'podinfo' });
    assert.equal(
      methodFromProtoFile('grpc.health.v1.Health.Watch', HEALTH_PROTO_PATH, []).serverStreaming,
      true,
    );
    assert.throws(() => method.serialize({ svc: 'x' }), /unknown field "svc" in HealthCheckRequest/);
  });

  it('accepts the lowerCamelCase JSON names of fields', async () => {
    const proto = join(dir, 'echo.proto');
    await writeFile(
      proto,
      'syntax = "proto3";\npackage echo;\nmessage Req { string user_name = 1; }\nmessage Res {}\n' +
        'service Echo { rpc Say(Req) returns (Res); }\n',
    );
    const method = methodFromProtoFile('echo.Echo/Say', proto, [dir]);
    assert.deepEqual(method.serialize({ userName: 'a' }), method.serialize({ user_name: 'a' }));
    assert.notDeepEqual(method.serialize({ userName: 'a' }), method.serialize({}));
  });

  const missing: [string, string, RegExp][] = [
    ['grpc.health.v1.Nope/Check', HEALTH_PROTO_PATH, /^cannot find service "grpc\.health\.v1\.Nope"$/],
    ['grpc.health.v1.HealthCheckRequest/Check', HEALTH_PROTO_PATH, /^cannot find service /],
    [
      'grpc.health.v1.Health/Nope',
      HEALTH_PROTO_PATH,
      /^service "grpc\.health\.v1\.Health" does not include a method named "Nope"$/,
    ],
    [
      'grpc.health.v1.Health/Check',
      '/nonexistent/x.proto',
      /^open \/nonexistent\/x\.proto: no such file or directory$/,
    ],
  ];
  for (const [call, proto, message] of missing) {
    it(`reports ${String(message)}`, () => {
      assert.throws(
        () => methodFromProtoFile(call, proto, []),
        (err: unknown) => err instanceof GhzRunError && message.test(err.message),
      );
    });
  }
});
