// A ghz run's settings from its command line, with ghz's defaults and checks. Like ghz, a bad JSON value is
// reported as `ghz: error: ...` (GhzConfigError) and a run that cannot start with its plain message
// (GhzRunError); both exit 1.
import { readFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { parseDuration } from '../../api/duration.ts';
import type { TlsSettings } from './credentials.ts';
import { flagValue, type DurationStop, type Format, type GhzCommandLine } from './ghz-flags.ts';

export interface GhzConfig {
  host: string;
  call: string;
  /** Empty: the method is found by server reflection. */
  proto: string;
  /** As ghz reports them: the proto file's directory, ".", then --import-paths. */
  importPaths: string[];
  insecure: boolean;
  tls: TlsSettings;
  authority: string;
  rps: number;
  concurrency: number;
  /** Infinity with --duration, which ignores --total (ghz reports it as 2147483647). */
  total: number;
  /** 0: no deadline. */
  timeoutMs: number;
  durationMs: number;
  maxDurationMs: number;
  durationStop: DurationStop;
  /** One message, or an array used round-robin, one item per request. */
  data: Record<string, unknown>[];
  /** As given: reported in the JSON output. */
  rawData: unknown;
  metadata: Record<string, string> | undefined;
  reflectMetadata: Record<string, string> | undefined;
  output: string;
  format: Format;
  skipFirst: number;
  countErrors: boolean;
  connectTimeoutMs: number;
  keepaliveMs: number;
  name: string;
  tags: Record<string, string> | undefined;
  enableCompression: boolean;
}

/** `ghz: error: <message>`. */
export class GhzConfigError extends Error {
  override name = 'GhzConfigError';
}

/** A run that cannot start; ghz prints just the message. */
export class GhzRunError extends Error {
  override name = 'GhzRunError';
}

export async function ghzConfig(line: GhzCommandLine): Promise<GhzConfig> {
  const text = (name: Parameters<typeof flagValue>[1]) => flagValue(line, name).trim();
  const count = (name: Parameters<typeof flagValue>[1]) => Number(flagValue(line, name));
  const ms = (name: Parameters<typeof flagValue>[1]) => parseDuration(flagValue(line, name)) ?? 0;

  const metadata = stringMap('metadata', text('metadata'));
  const tags = stringMap('tags', text('tags'));
  const reflectMetadata = stringMap('reflection metadata', text('reflect-metadata'));
  let rawData: unknown = text('data') === '' ? undefined : parseJson('data', flagValue(line, 'data'));
  const dataFile = text('data-file');
  if (rawData === undefined && dataFile !== '') rawData = parseJson('data', await readRunFile(dataFile));
  const metadataFile = text('metadata-file');
  const fileMetadata =
    metadata === undefined && metadataFile !== ''
      ? stringMap('metadata', await readRunFile(metadataFile))
      : undefined;

  const proto = text('proto');
  if (proto !== '' && extname(proto) !== '.proto') throw new GhzRunError('proto: must have .proto extension');
  const importPaths =
    proto === ''
      ? []
      : [
          ...(dirname(proto) === '.' ? [] : [dirname(proto)]),
          '.',
          ...text('import-paths')
            .split(',')
            .filter(path => path !== ''),
        ];
  const durationMs = ms('duration');
  const config: GhzConfig = {
    host: line.host.trim(),
    call: text('call'),
    proto,
    importPaths,
    insecure: flagValue(line, 'insecure') === 'true',
    tls: {
      caCertFile: text('cacert'),
      clientCertFile: text('cert'),
      clientKeyFile: text('key'),
      serverName: text('cname'),
      skipVerify: flagValue(line, 'skipTLS') === 'true',
    },
    authority: text('authority'),
    rps: line.given.has('rps') ? count('rps') : count('qps'),
    concurrency: count('concurrency'),
    total: durationMs > 0 ? Number.POSITIVE_INFINITY : count('total'),
    timeoutMs: ms('timeout'),
    durationMs,
    maxDurationMs: ms('max-duration'),
    durationStop: flagValue(line, 'duration-stop') as DurationStop,
    data: messages(rawData),
    rawData,
    metadata: metadata ?? fileMetadata,
    reflectMetadata,
    output: text('output'),
    format: flagValue(line, 'format') as Format,
    skipFirst: count('skipFirst'),
    countErrors: flagValue(line, 'count-errors') === 'true',
    connectTimeoutMs: ms('connect-timeout'),
    keepaliveMs: ms('keepalive'),
    name: text('name'),
    tags,
    enableCompression: flagValue(line, 'enable-compression') === 'true',
  };
  check(config);
  return config;
}

function check(config: GhzConfig): void {
  if (config.call === '') throw new GhzRunError('call required');
  if (config.host === '') throw new GhzRunError('host required');
  if (config.skipFirst > 0 && config.skipFirst > config.total)
    throw new GhzRunError('you cannot skip more requests than those run');
  if (config.concurrency === 0) throw new GhzRunError('concurrency must be at least 1');
}

function parseJson(what: string, raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch (err) {
    throw new GhzConfigError(`error unmarshaling ${what} '${raw}': ${(err as Error).message}`);
  }
}

function stringMap(what: string, raw: string): Record<string, string> | undefined {
  if (raw === '') return undefined;
  const value = parseJson(what, raw);
  const isMap =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every(v => typeof v === 'string');
  if (!isMap) {
    throw new GhzConfigError(
      `error unmarshaling ${what} '${raw}': json: cannot unmarshal into Go value of type map[string]string`,
    );
  }
  return value as Record<string, string>;
}

function messages(data: unknown): Record<string, unknown>[] {
  if (data === undefined || data === null) return [{}];
  const items = Array.isArray(data) ? (data as unknown[]) : [data];
  if (items.length === 0) throw new GhzRunError('data array must not be empty');
  if (!items.every(item => typeof item === 'object' && item !== null && !Array.isArray(item)))
    throw new GhzRunError(
      Array.isArray(data) ? 'data array contains unsupported type' : 'unsupported type for Data',
    );
  return items as Record<string, unknown>[];
}

async function readRunFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new GhzRunError(
      `open ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`,
    );
  }
}
