// grpc_health_probe's command line (github.com/grpc-ecosystem/grpc-health-probe): the same flags in Go's flag
// syntax, the same checks and the same messages, so that Kubernetes exec probes and webhook commands written for
// it work unchanged.
import { formatDuration } from '../../api/duration.ts';
import { GoFlagSet } from '../../util/go-flags.ts';
import type { TlsSettings } from './credentials.ts';

export const HEALTH_PROBE_FLAGS = new GoFlagSet('', {
  addr: { kind: 'string', usage: '(required) tcp host:port to connect' },
  service: { kind: 'string', usage: 'service name to check (default: "")' },
  'user-agent': {
    kind: 'string',
    usage: 'user-agent header value of health check requests',
    default: 'grpc_health_probe',
  },
  'connect-timeout': { kind: 'duration', usage: 'timeout for establishing connection', default: '1s' },
  'rpc-header': {
    kind: 'repeated',
    usage: "additional RPC headers in 'name: value' format. May specify more than one via multiple flags.",
  },
  'rpc-timeout': { kind: 'duration', usage: 'timeout for health check rpc', default: '1s' },
  tls: { kind: 'bool', usage: 'use TLS (default: false, INSECURE plaintext transport)' },
  'tls-no-verify': {
    kind: 'bool',
    usage: "(with -tls) don't verify the certificate (INSECURE) presented by the server (default: false)",
  },
  'tls-ca-cert': {
    kind: 'string',
    usage: '(with -tls, optional) file containing trusted certificates for verifying server',
  },
  'tls-client-cert': {
    kind: 'string',
    usage:
      '(with -tls, optional) client certificate for authenticating to the server (requires -tls-client-key)',
  },
  'tls-client-key': {
    kind: 'string',
    usage: '(with -tls) client private key for authenticating to the server (requires -tls-client-cert)',
  },
  'tls-server-name': {
    kind: 'string',
    usage: '(with -tls) override the hostname used to verify the server certificate',
  },
  alts: { kind: 'bool', usage: 'use ALTS (default: false, INSECURE plaintext transport)' },
  v: { kind: 'bool', usage: 'verbose logs' },
  version: { kind: 'bool', usage: 'show probe version and exit' },
  gzip: {
    kind: 'bool',
    usage: 'use GZIPCompressor for requests and GZIPDecompressor for response (default: false)',
  },
  spiffe: { kind: 'bool', usage: 'use SPIFFE to obtain mTLS credentials' },
});

export interface HealthProbeOptions {
  addr: string;
  service: string;
  userAgent: string;
  connectTimeoutMs: number;
  rpcTimeoutMs: number;
  /** Header names as given; gRPC metadata lowercases them. */
  rpcHeaders: [string, string][];
  /** Absent: plaintext. */
  tls: TlsSettings | undefined;
  alts: boolean;
  spiffe: boolean;
  verbose: boolean;
  version: boolean;
  gzip: boolean;
}

/** A command line the probe refuses: exit 1 after printing the message (and the usage, for `usage`). */
export class ProbeArgumentError extends Error {
  override name = 'ProbeArgumentError';
  readonly usage: boolean;
  constructor(message: string, usage = false) {
    super(message);
    this.usage = usage;
  }
}

/** Parses and checks argv (without node and the script) as grpc_health_probe does; `-version` skips the checks. */
export function parseHealthProbeArgs(argv: readonly string[]): HealthProbeOptions {
  const flags = HEALTH_PROBE_FLAGS.parse(argv);
  const rpcHeaders = flags.repeated('rpc-header').map(header => {
    const colon = header.indexOf(':');
    if (colon < 0) {
      throw new ProbeArgumentError(
        `invalid value ${JSON.stringify(header)} for flag -rpc-header: ` +
          `invalid RPC header, expected 'key: value', got ${JSON.stringify(header)}`,
        true,
      );
    }
    return [header.slice(0, colon), header.slice(colon + 1).trimStart()] as [string, string];
  });
  const tls: TlsSettings = {
    caCertFile: flags.string('tls-ca-cert'),
    clientCertFile: flags.string('tls-client-cert'),
    clientKeyFile: flags.string('tls-client-key'),
    serverName: flags.string('tls-server-name'),
    skipVerify: flags.bool('tls-no-verify'),
  };
  const options: HealthProbeOptions = {
    addr: flags.string('addr'),
    service: flags.string('service'),
    userAgent: flags.string('user-agent'),
    connectTimeoutMs: flags.duration('connect-timeout'),
    rpcTimeoutMs: flags.duration('rpc-timeout'),
    rpcHeaders,
    tls: flags.bool('tls') ? tls : undefined,
    alts: flags.bool('alts'),
    spiffe: flags.bool('spiffe'),
    verbose: flags.bool('v'),
    version: flags.bool('version'),
    gzip: flags.bool('gzip'),
  };
  if (!options.version) check(options, tls);
  return options;
}

function check(options: HealthProbeOptions, tls: TlsSettings): void {
  const withTls = options.tls !== undefined;
  const problem = (
    [
      [options.addr === '', '-addr not specified'],
      [
        options.connectTimeoutMs <= 0,
        `-connect-timeout must be greater than zero (specified: ${formatDuration(options.connectTimeoutMs)})`,
      ],
      [
        options.rpcTimeoutMs <= 0,
        `-rpc-timeout must be greater than zero (specified: ${formatDuration(options.rpcTimeoutMs)})`,
      ],
      [options.alts && options.spiffe, '-alts and -spiffe are mutually incompatible'],
      [withTls && options.alts, 'cannot specify -tls with -alts'],
      [!withTls && tls.skipVerify, 'specified -tls-no-verify without specifying -tls'],
      [!withTls && tls.caCertFile !== '', 'specified -tls-ca-cert without specifying -tls'],
      [!withTls && tls.clientCertFile !== '', 'specified -tls-client-cert without specifying -tls'],
      [!withTls && tls.serverName !== '', 'specified -tls-server-name without specifying -tls'],
      [
        tls.clientCertFile !== '' && tls.clientKeyFile === '',
        'specified -tls-client-cert without specifying -tls-client-key',
      ],
      [
        tls.clientCertFile === '' && tls.clientKeyFile !== '',
        'specified -tls-client-key without specifying -tls-client-cert',
      ],
      [
        tls.skipVerify && tls.caCertFile !== '',
        'cannot specify -tls-ca-cert with -tls-no-verify (CA cert would not be used)',
      ],
      [
        tls.skipVerify && tls.serverName !== '',
        'cannot specify -tls-server-name with -tls-no-verify (server name would not be used)',
      ],
    ] as const
  ).find(([failed]) => failed);
  if (problem) throw new ProbeArgumentError(`error: ${problem[1]}`);
}
