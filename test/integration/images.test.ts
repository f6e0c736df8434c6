// The container images of scripts/build-images.sh: their OCI config, the same as the Dockerfiles', and their own
// root filesystems running the controller against the test control plane and the load tester with its tools.
// Each image runs as a container runtime would start it: umoci's runtime bundle (the image's user, environment and
// working directory), a read-only root with /proc, a minimal /dev and a /tmp, as deploy/kustomize runs it.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chown, copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { installCrds } from '../../src/playground/install-crds.ts';
import { freePort } from '../../src/playground/process.ts';
import { VERSION } from '../../src/version.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { startHealthServer, type HealthServer } from '../harness/grpc-health-server.ts';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const imagesDir = process.env.FLAGGER_IMAGES_DIR ?? join(homedir(), '.cache/flagger-ts/images');
const DOCKERFILES = {
  flagger: 'deploy/images/flagger/Dockerfile',
  'flagger-loadtester': 'deploy/images/loadtester/Dockerfile',
};
type ImageName = keyof typeof DOCKERFILES;
const IMAGES = Object.keys(DOCKERFILES) as ImageName[];

interface ImageConfig {
  User?: string;
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  ExposedPorts?: Record<string, unknown>;
  Labels?: Record<string, string>;
}

/** An unpacked image: its root filesystem and the process of the runtime spec umoci writes next to it. */
interface Bundle {
  rootfs: string;
  process: { args: string[]; env: string[]; cwd: string; user: { uid: number; gid: number } };
}

// Runs in a private mount namespace: nothing it mounts outlives the process or shows outside it.
const CONTAINER = `set -e
r=$1; uid=$2; gid=$3; wd=$4; shift 4
mount --bind "$r" "$r"; mount -o remount,bind,ro "$r"
mount -t proc proc "$r/proc"
mount -t tmpfs -o mode=755,nosuid dev "$r/dev"
for d in null zero random urandom; do : >"$r/dev/$d"; mount --bind "/dev/$d" "$r/dev/$d"; done
mount -t tmpfs -o mode=1777,nosuid,nodev tmp "$r/tmp"
exec unshare --root="$r" --wd="$wd" --setgid="$gid" --setuid="$uid" -- "$@"`;

const running = new Set<ChildProcessWithoutNullStreams>();

/** Starts the image's entrypoint with args, or, like a Pod's `command:`, the given command. */
function startIn(
  bundle: Bundle,
  args: string[],
  command = bundle.process.args,
): ChildProcessWithoutNullStreams {
  const { env, cwd, user } = bundle.process;
  const ids = [String(user.uid), String(user.gid), cwd];
  const argv = ['--mount', '--propagation=private', 'sh', '-c', CONTAINER, 'sh', bundle.rootfs, ...ids];
  const child = spawn('unshare', [...argv, ...command, ...args], {
    env: Object.fromEntries(env.map(e => e.split(/=(.*)/s).slice(0, 2))) as NodeJS.ProcessEnv,
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Runs a command inside the image to its end: its exit code and output. */
async function runIn(bundle: Bundle, command: string[]): Promise<{ code: number | null; out: string }> {
  const child = startIn(bundle, [], command);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return { code: await new Promise(resolve => child.once('exit', resolve)), out };
}

function stop(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  const exited = new Promise<number | null>(resolve => child.once('exit', resolve));
  child.kill('SIGTERM');
  return exited;
}

const answers = (url: string) =>
  fetch(url).then(
    r => r.ok,
    () => false,
  );

async function imageConfig(name: ImageName): Promise<ImageConfig> {
  const json = async (...path: string[]) =>
    JSON.parse(await readFile(join(imagesDir, name, ...path), 'utf8')) as unknown;
  const blob = (digest: string) => json('blobs', ...digest.split(':'));
  const index = (await json('index.json')) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  const latest = index.manifests.find(m => m.annotations?.['org.opencontainers.image.ref.name'] === 'latest');
  assert.ok(latest, `${name}: no tag latest`);
  const manifest = (await blob(latest.digest)) as { config: { digest: string } };
  return ((await blob(manifest.config.digest)) as { config: ImageConfig }).config;
}

// CI runs as root: without root this file fails, never skips, or the images would go untested unnoticed.
if (process.getuid?.() !== 0) {
  throw new Error('the image tests need root: building and running the images (chroot, mounts) does');
}

describe('the container images built without a container engine', () => {
  const cluster = useCluster({ kubelet: false });
  const bundles = {} as Record<ImageName, Bundle>;
  let scratch = '';

  before(
    async () => {
      await run('bash', [join(root, 'scripts/build-images.sh')], { maxBuffer: 64 << 20 });
      scratch = await mkdtemp(join(tmpdir(), 'flagger-images-'));
      for (const name of IMAGES) {
        const dir = join(scratch, name);
        await run('umoci', ['unpack', '--image', `${join(imagesDir, name)}:latest`, dir], {
          maxBuffer: 64 << 20,
        });
        const spec = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Bundle;
        bundles[name] = { rootfs: join(dir, 'rootfs'), process: spec.process };
      }
    },
    { timeout: 30 * 60_000 },
  );
  after(async () => {
    await Promise.all([...running].map(stop));
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('have the Dockerfiles’ entrypoint, non-root user, working directory, port and labels', async () => {
    const nodePackage = await readFile(join(root, 'node_modules/node/package.json'), 'utf8');
    const nodeVersion = (JSON.parse(nodePackage) as { version: string }).version;
    for (const name of IMAGES) {
      const config = await imageConfig(name);
      const dockerfile = await readFile(join(root, DOCKERFILES[name]), 'utf8');
      const instruction = (key: string) => dockerfile.match(new RegExp(`^${key} (.+)$`, 'm'))?.[1];
      assert.deepEqual(config.Entrypoint, JSON.parse(instruction('ENTRYPOINT') ?? 'null'), name);
      assert.deepEqual(config.Entrypoint, ['node', `/app/bin/${name}.js`]);
      assert.equal(config.Cmd, undefined, 'arguments given to the container go to the entrypoint');
      assert.equal(config.User, instruction('USER'));
      assert.equal(config.User, '10001:10001');
      assert.equal(config.WorkingDir, instruction('WORKDIR'));
      assert.deepEqual(Object.keys(config.ExposedPorts ?? {}), [`${instruction('EXPOSE')}/tcp`]);
      const labels = config.Labels ?? {};
      assert.equal(labels['org.opencontainers.image.title'], name);
      assert.equal(labels['org.opencontainers.image.version'], VERSION);
      assert.equal(labels['org.opencontainers.image.licenses'], 'Apache-2.0');
      assert.ok(labels['org.opencontainers.image.description']);
      // The Dockerfiles' Node.js is the one the build script takes from node_modules.
      assert.equal(dockerfile.match(/^ARG NODE_IMAGE=node:([\d.]+)-/m)?.[1], nodeVersion);
    }
  });

  it('run the controller from the controller image until it is ready', async () => {
    const image = bundles.flagger;
    await installCrds(cluster.client);
    const kubeconfig = '/home/flagger/kubeconfig';
    await copyFile(cluster.plane.kubeconfigPath, join(image.rootfs, kubeconfig));
    await chown(join(image.rootfs, kubeconfig), image.process.user.uid, image.process.user.gid);
    const port = await freePort();
    const controller = startIn(image, [
      `-kubeconfig=${kubeconfig}`,
      '-mesh-provider=kubernetes',
      '-metrics-server=http://127.0.0.1:1',
      `-port=${port}`,
    ]);
    let logs = '';
    controller.stderr.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    await eventually(() => answers(`http://127.0.0.1:${port}/readyz`), 'not ready', 120_000).catch(
      (err: unknown) => assert.fail(`${String(err)}\n${logs}`),
    );
    assert.equal(await stop(controller), 0, logs);
    // deploy/kustomize runs it as `command: [flagger]`.
    assert.deepEqual(await runIn(image, ['flagger', '-version']), { code: 0, out: `${VERSION}\n` });
  });

  it('run the load tester, whose tasks have hey, wrk, ghz, grpc_health_probe, curl, jq, kubectl, bats and git', async t => {
    const image = bundles['flagger-loadtester'];
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const tester = startIn(image, [`-port=${port}`]);
    const grpc: HealthServer = await startHealthServer();
    t.after(() => grpc.stop());
    await eventually(() => answers(`${url}/healthz`), 'the load tester never served /healthz', 120_000);
    const cmd = [
      `hey -n 4 -c 2 ${url}/healthz`,
      `wrk -d 1s -c 1 -t 1 ${url}/healthz`,
      // Flagger's example, against a local server: the load tester put health.proto in the /tmp volume.
      `ghz --insecure --proto=/tmp/ghz/health.proto --call=grpc.health.v1.Health/Check -n 6 -c 2 ${grpc.addr}`,
      `grpc_health_probe -addr=${grpc.addr}`,
      `curl -fsS ${url}/healthz`,
      `jq -n '"jq runs"'`,
      'kubectl version --client',
      'bats --version',
      'git --version',
    ].join(' && ');
    const response = await fetch(`${url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'podinfo',
        namespace: 'test',
        phase: 'Progressing',
        metadata: { type: 'bash', cmd, returnCmdOutput: 'true' },
      }),
    });
    const output = await response.text();
    assert.equal(response.status, 200, output);
    assert.match(output, /Status code distribution:\s+\[200\]\s+4 responses/);
    assert.match(output, /Requests\/sec/);
    assert.match(output, /^OK"jq runs"$/m);
    assert.match(output, /Client Version: .*GitVersion:"v1\.\d+/);
    assert.match(output, /^Bats \d/m);
    assert.match(output, /^git version \d/m);
    assert.match(output, /Count:\t6\n/);
    assert.match(output, /\[OK\]\s+6 responses/);
    assert.match(output, /^status: SERVING$/m);
    assert.equal(grpc.checks.length, 7);
    assert.equal(await stop(tester), 0);
    const version = await runIn(image, ['flagger-loadtester', '-version']);
    assert.deepEqual(version, { code: 0, out: `${VERSION}\n` });
  });
});
