// Finds a ghz method by server reflection, as ghz does when no --proto is given: asks the server for the file
// that defines the service (grpc.reflection.v1, then v1alpha for older servers), and reads the method from the
// file descriptors it sends back (the file and its dependencies).
import { Metadata, status, type Client } from '@grpc/grpc-js';
import { fromJSON, loadFileDescriptorSetFromBuffer, type MethodDefinition } from '@grpc/proto-loader';
import { GhzRunError } from './ghz-config.ts';
import { LOADER_OPTIONS, methodFromDefinition, parseCall, type GrpcMethod } from './method.ts';
import { goStatusError, isServiceError } from './status.ts';

const VERSIONS = ['v1', 'v1alpha'] as const;
// The reflection service reports errors as plain numbers.
const NOT_FOUND: number = status.NOT_FOUND;
const UNKNOWN: number = status.UNKNOWN;

interface ReflectionRequest {
  host: string;
  file_containing_symbol: string;
}

interface ReflectionResponse {
  file_descriptor_response?: { file_descriptor_proto?: Uint8Array[] };
  error_response?: { error_code?: number; error_message?: string };
}

// The messages of reflection.proto this client uses; both versions define them alike.
const REFLECTION_MESSAGES = {
  ServerReflectionRequest: {
    oneofs: { message_request: { oneof: ['file_by_filename', 'file_containing_symbol'] } },
    fields: {
      host: { type: 'string', id: 1 },
      file_by_filename: { type: 'string', id: 3 },
      file_containing_symbol: { type: 'string', id: 4 },
    },
  },
  ServerReflectionResponse: {
    oneofs: { message_response: { oneof: ['file_descriptor_response', 'error_response'] } },
    fields: {
      valid_host: { type: 'string', id: 1 },
      file_descriptor_response: { type: 'FileDescriptorResponse', id: 4 },
      error_response: { type: 'ErrorResponse', id: 7 },
    },
  },
  FileDescriptorResponse: { fields: { file_descriptor_proto: { rule: 'repeated', type: 'bytes', id: 1 } } },
  ErrorResponse: {
    fields: { error_code: { type: 'int32', id: 1 }, error_message: { type: 'string', id: 2 } },
  },
  ServerReflection: {
    methods: {
      ServerReflectionInfo: {
        requestType: 'ServerReflectionRequest',
        requestStream: true,
        responseType: 'ServerReflectionResponse',
        responseStream: true,
      },
    },
  },
};

type ReflectionMethod = MethodDefinition<ReflectionRequest, ReflectionResponse>;
let reflectionMethods: Map<string, ReflectionMethod> | undefined;

function reflectionMethod(version: (typeof VERSIONS)[number]): ReflectionMethod {
  reflectionMethods ??= new Map(
    VERSIONS.map(v => {
      const nested = {
        grpc: { nested: { reflection: { nested: { [v]: { nested: REFLECTION_MESSAGES } } } } },
      };
      const json = { nested } as Parameters<typeof fromJSON>[0];
      const service = fromJSON(json, LOADER_OPTIONS)[`grpc.reflection.${v}.ServerReflection`];
      return [v, (service as Record<string, ReflectionMethod>).ServerReflectionInfo as ReflectionMethod];
    }),
  );
  const method = reflectionMethods.get(version);
  if (!method) throw new Error(`no reflection method for ${version}`);
  return method;
}

/** The method of `call`, described by the server's reflection service; `deadlineMs` bounds the exchange. */
export async function methodFromReflection(
  client: Client,
  call: string,
  metadata: Record<string, string> | undefined,
  deadlineMs: number,
): Promise<GrpcMethod> {
  const { service } = parseCall(call);
  for (const version of VERSIONS) {
    const answer = await ask(client, version, service, metadata, deadlineMs);
    if (answer === 'unimplemented') continue;
    if (answer.error_response) {
      const { error_code: code = UNKNOWN, error_message: message = '' } = answer.error_response;
      throw new GhzRunError(
        code === NOT_FOUND ? `Symbol not found: ${service}` : goStatusError({ code, details: message }),
      );
    }
    const files = answer.file_descriptor_response?.file_descriptor_proto ?? [];
    if (files.length === 0) throw new GhzRunError(`Symbol not found: ${service}`);
    return methodFromDefinition(
      call,
      loadFileDescriptorSetFromBuffer(fileDescriptorSet(files), LOADER_OPTIONS),
    );
  }
  throw new GhzRunError('server does not support the reflection API');
}

function ask(
  client: Client,
  version: (typeof VERSIONS)[number],
  symbol: string,
  metadata: Record<string, string> | undefined,
  deadlineMs: number,
): Promise<ReflectionResponse | 'unimplemented'> {
  const method = reflectionMethod(version);
  const headers = new Metadata();
  for (const [key, value] of Object.entries(metadata ?? {})) headers.set(key, value);
  return new Promise((resolve, reject) => {
    const stream = client.makeBidiStreamRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      headers,
      { deadline: Date.now() + deadlineMs },
    );
    let answered = false;
    stream.once('data', (response: ReflectionResponse) => {
      answered = true;
      stream.cancel();
      resolve(response);
    });
    stream.on('error', (err: Error) => {
      if (answered) return;
      if (isServiceError(err) && err.code === status.UNIMPLEMENTED) resolve('unimplemented');
      else reject(new GhzRunError(isServiceError(err) ? goStatusError(err) : err.message));
    });
    stream.write({ host: '', file_containing_symbol: symbol });
    stream.end();
  });
}

/** A serialized FileDescriptorSet: each file as field 1, length-delimited. */
function fileDescriptorSet(files: readonly Uint8Array[]): Buffer {
  return Buffer.concat(files.flatMap(file => [Buffer.from([0x0a]), varint(file.length), file]));
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}
