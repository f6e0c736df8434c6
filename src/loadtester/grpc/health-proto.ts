// health.proto, the gRPC health checking service definition the load tester ships, and its place for ghz. Kept
// apart from the gRPC libraries: the load tester places the file at start without loading them.
import { constants } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export const HEALTH_PROTO_PATH = new URL('health.proto', import.meta.url).pathname;

/** Where Flagger's load tester image keeps health.proto, and so where its webhook examples point ghz. */
export const GHZ_PROTO_DIR = '/tmp/ghz';

/**
 * Copies health.proto to `<dir>/health.proto` unless a file is there already (one mounted by the user wins).
 * The image's root filesystem is read-only and /tmp is a volume mounted over it, so the file cannot be part of
 * the image as it is in Flagger's: the load tester puts it there when it starts. Returns the path.
 */
export async function provideHealthProto(dir = GHZ_PROTO_DIR): Promise<string> {
  const target = join(dir, 'health.proto');
  await mkdir(dir, { recursive: true });
  try {
    await copyFile(HEALTH_PROTO_PATH, target, constants.COPYFILE_EXCL);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return target;
}
