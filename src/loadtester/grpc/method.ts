// The method a ghz run calls, found in a .proto file (--proto) or in the descriptors a server sends by reflection,
// with the same call syntax and errors as ghz's protodesc package.
import { loadSync, type MethodDefinition, type Options, type PackageDefinition } from '@grpc/proto-loader';
import { GhzRunError } from './ghz-config.ts';

export interface GrpcMethod {
  /** `/package.Service/Method`, the HTTP/2 path. */
  path: string;
  clientStreaming: boolean;
  serverStreaming: boolean;
  /** Encodes one request message from its JSON form (proto field names or their lowerCamelCase JSON names). */
  serialize(message: Record<string, unknown>): Buffer;
}

/** Fields under their proto names; enums and 64-bit integers accepted as JSON gives them. */
export const LOADER_OPTIONS: Options = { keepCase: true, longs: String, enums: String, defaults: false };

/** `package.Service/Method`, `package.Service.Method`, optionally with a leading dot. */
export function parseCall(call: string): { service: string; method: string } {
  const name = call.startsWith('.') ? call.slice(1) : call;
  if (name === '') throw new GhzRunError('no method name specified');
  const slashes = name.split('/').length - 1;
  if (slashes > 1) throw invalidMethodName(name);
  if (slashes === 1) {
    const [service = '', method = ''] = name.split('/');
    return { service, method };
  }
  const dot = name.lastIndexOf('.');
  if (dot < 0) throw invalidMethodName(name);
  return { service: name.slice(0, dot), method: name.slice(dot + 1) };
}

function invalidMethodName(name: string): GhzRunError {
  return new GhzRunError(
    `method name must be package.Service.Method or package.Service/Method: ${JSON.stringify(name)}`,
  );
}

export function methodFromProtoFile(call: string, proto: string, importPaths: string[]): GrpcMethod {
  let definition: PackageDefinition;
  try {
    definition = loadSync(proto, { ...LOADER_OPTIONS, includeDirs: importPaths });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new GhzRunError(
      code === 'ENOENT' ? `open ${proto}: no such file or directory` : (err as Error).message,
    );
  }
  return methodFromDefinition(call, definition);
}

export function methodFromDefinition(call: string, definition: PackageDefinition): GrpcMethod {
  const { service, method } = parseCall(call);
  const entry = definition[service];
  // Message and enum definitions carry a `format`; services are maps of methods.
  if (!entry || 'format' in entry) throw new GhzRunError(`cannot find service ${JSON.stringify(service)}`);
  const found = (entry as Record<string, MethodDefinition<object, object> | undefined>)[method];
  if (!found) {
    throw new GhzRunError(
      `service ${JSON.stringify(service)} does not include a method named ${JSON.stringify(method)}`,
    );
  }
  const input = found.requestType.type as DescriptorFields;
  const jsonNames = fieldNamesByJsonName(input);
  return {
    path: found.path,
    clientStreaming: found.requestStream,
    serverStreaming: found.responseStream,
    serialize: message => {
      const unknown = Object.keys(message).find(key => !jsonNames.has(key));
      if (unknown !== undefined)
        throw new Error(`unknown field ${JSON.stringify(unknown)} in ${input.name ?? 'the request message'}`);
      const renamed = Object.fromEntries(
        Object.entries(message).map(([key, value]) => [jsonNames.get(key) ?? key, value]),
      );
      return found.requestSerialize(renamed);
    },
  };
}

/** The parts of a message's DescriptorProto (as proto-loader gives it) that map JSON keys to fields. */
interface DescriptorFields {
  name?: string;
  field?: { name?: string; jsonName?: string }[];
}

/** Each field's proto name, under both its proto name and its JSON name. */
function fieldNamesByJsonName(type: DescriptorFields): Map<string, string> {
  const fields = type.field ?? [];
  const names = new Map<string, string>();
  for (const { name, jsonName } of fields) {
    if (name === undefined) continue;
    names.set(name, name);
    names.set(jsonName || lowerCamel(name), name);
  }
  return names;
}

function lowerCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}
