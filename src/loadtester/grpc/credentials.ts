// Channel credentials for ghz and grpc_health_probe: plaintext, or TLS with an optional CA bundle, client
// certificate and server name, or TLS without verification. Each tool words the failures its own way, so the
// failure says which file was wrong and why.
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { credentials, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js';

export interface TlsSettings {
  caCertFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  /** Overrides the name the certificate is checked against (and sent as SNI). */
  serverName: string;
  skipVerify: boolean;
}

export type TlsFailure = 'client-pair' | 'ca-read' | 'ca-parse';

export class TlsSetupError extends Error {
  override name = 'TlsSetupError';
  readonly failure: TlsFailure;
  readonly file: string;
  constructor(failure: TlsFailure, file: string, message: string) {
    super(message);
    this.failure = failure;
    this.file = file;
  }
}

export interface Transport {
  credentials: ChannelCredentials;
  options: ChannelOptions;
}

export const PLAINTEXT: Transport = { credentials: credentials.createInsecure(), options: {} };

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----/;

export async function tlsTransport(tls: TlsSettings): Promise<Transport> {
  let key: Buffer | null = null;
  let cert: Buffer | null = null;
  if (tls.clientCertFile !== '') {
    try {
      [cert, key] = await Promise.all([readFile(tls.clientCertFile), readFile(tls.clientKeyFile)]);
      // grpc-js would only find a mismatched pair at the first handshake.
      createSecureContext({ cert, key });
    } catch (err) {
      throw new TlsSetupError('client-pair', tls.clientCertFile, (err as Error).message);
    }
  }
  let ca: Buffer | null = null;
  if (!tls.skipVerify && tls.caCertFile !== '') {
    try {
      ca = await readFile(tls.caCertFile);
    } catch (err) {
      throw new TlsSetupError('ca-read', tls.caCertFile, (err as Error).message);
    }
    if (!PEM_CERTIFICATE.test(ca.toString('latin1')))
      throw new TlsSetupError('ca-parse', tls.caCertFile, `no certificates in ${tls.caCertFile}`);
  }
  return {
    credentials: credentials.createSsl(ca, key, cert, { rejectUnauthorized: !tls.skipVerify }),
    options: tls.serverName === '' ? {} : { 'grpc.ssl_target_name_override': tls.serverName },
  };
}
