import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GoFlagError } from '../../util/go-flags.ts';
import { parseHealthProbeArgs, ProbeArgumentError, type HealthProbeOptions } from './health-probe-flags.ts';

const defaults: HealthProbeOptions = {
  addr: 'h:1',
  service: '',
  userAgent: 'grpc_health_probe',
  connectTimeoutMs: 1000,
  rpcTimeoutMs: 1000,
  rpcHeaders: [],
  tls: undefined,
  alts: false,
  spiffe: false,
  verbose: false,
  version: false,
  gzip: false,
};
const noTls = { caCertFile: '', clientCertFile: '', clientKeyFile: '', serverName: '', skipVerify: false };

describe('grpc_health_probe flags', () => {
  const accepted: [string[], Partial<HealthProbeOptions>][] = [
    [['-addr=h:1'], {}],
    [['--addr', 'h:1', '-service', 'podinfo'], { service: 'podinfo' }],
    [
      ['-addr=h:1', '-connect-timeout=250ms', '--rpc-timeout', '2s'],
      { connectTimeoutMs: 250, rpcTimeoutMs: 2000 },
    ],
    [
      ['-addr=h:1', '-rpc-header=Authorization: Bearer x', '-rpc-header', 'x-a:b:c'],
      {
        rpcHeaders: [
          ['Authorization', 'Bearer x'],
          ['x-a', 'b:c'],
        ],
      },
    ],
    [['-addr=h:1', '-tls'], { tls: noTls }],
    [['-addr=h:1', '-tls', '-tls-no-verify'], { tls: { ...noTls, skipVerify: true } }],
    [
      ['-addr=h:1', '-tls', '-tls-ca-cert=ca.pem', '-tls-server-name=podinfo'],
      { tls: { ...noTls, caCertFile: 'ca.pem', serverName: 'podinfo' } },
    ],
    [
      ['-addr=h:1', '-tls', '-tls-client-cert=c.pem', '-tls-client-key=k.pem'],
      { tls: { ...noTls, clientCertFile: 'c.pem', clientKeyFile: 'k.pem' } },
    ],
    [
      ['-addr=h:1', '-user-agent=kube-probe', '-v', '-gzip'],
      { userAgent: 'kube-probe', verbose: true, gzip: true },
    ],
    // -version skips the checks, -addr included.
    [['-version'], { addr: '', version: true }],
  ];
  for (const [argv, expected] of accepted) {
    it(`accepts ${argv.join(' ')}`, () => {
      assert.deepEqual(parseHealthProbeArgs(argv), { ...defaults, ...expected });
    });
  }

  const refused: [string[], string][] = [
    [[], 'error: -addr not specified'],
    [
      ['-addr=h:1', '-connect-timeout=0s'],
      'error: -connect-timeout must be greater than zero (specified: 0s)',
    ],
    [['-addr=h:1', '-rpc-timeout=-1s'], 'error: -rpc-timeout must be greater than zero (specified: -1s)'],
    [['-addr=h:1', '-alts', '-spiffe'], 'error: -alts and -spiffe are mutually incompatible'],
    [['-addr=h:1', '-tls', '-alts'], 'error: cannot specify -tls with -alts'],
    [['-addr=h:1', '-tls-no-verify'], 'error: specified -tls-no-verify without specifying -tls'],
    [['-addr=h:1', '-tls-ca-cert=ca'], 'error: specified -tls-ca-cert without specifying -tls'],
    [['-addr=h:1', '-tls-client-cert=c'], 'error: specified -tls-client-cert without specifying -tls'],
    [['-addr=h:1', '-tls-server-name=n'], 'error: specified -tls-server-name without specifying -tls'],
    [
      ['-addr=h:1', '-tls', '-tls-client-cert=c'],
      'error: specified -tls-client-cert without specifying -tls-client-key',
    ],
    [
      ['-addr=h:1', '-tls', '-tls-client-key=k'],
      'error: specified -tls-client-key without specifying -tls-client-cert',
    ],
    [
      ['-addr=h:1', '-tls', '-tls-no-verify', '-tls-ca-cert=ca'],
      'error: cannot specify -tls-ca-cert with -tls-no-verify (CA cert would not be used)',
    ],
    [
      ['-addr=h:1', '-tls', '-tls-no-verify', '-tls-server-name=n'],
      'error: cannot specify -tls-server-name with -tls-no-verify (server name would not be used)',
    ],
    [
      ['-addr=h:1', '-rpc-header=nocolon'],
      `invalid value "nocolon" for flag -rpc-header: invalid RPC header, expected 'key: value', got "nocolon"`,
    ],
  ];
  for (const [argv, message] of refused) {
    it(`refuses ${argv.join(' ') || 'no arguments'}: ${message}`, () => {
      assert.throws(
        () => parseHealthProbeArgs(argv),
        (err: unknown) => err instanceof ProbeArgumentError && err.message === message,
      );
    });
  }

  it('leaves unknown flags and bad values to the flag set', () => {
    assert.throws(() => parseHealthProbeArgs(['-port=1']), GoFlagError);
    assert.throws(() => parseHealthProbeArgs(['-addr=h', '-connect-timeout=1']), GoFlagError);
  });
});
