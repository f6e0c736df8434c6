// Flagger's command-line flags (cmd/flagger/main.go): same names and defaults, accepted with one or two dashes
// (Go's flag package takes both), as `-name=value`, `-name value`, or `-name` for booleans; plus Flagger's
// environment overrides (SLACK_URL, EVENT_WEBHOOK_URL, ...).

type FlagValue = string | number | boolean;

interface FlagSpec {
  default: FlagValue;
  env?: string;
  help: string;
}

export const FLAGS = {
  kubeconfig: { default: '', help: 'Path to a kubeconfig. Only required if out-of-cluster.' },
  'kubeconfig-qps': { default: 100, help: 'Set QPS for kubeconfig.' },
  'kubeconfig-burst': { default: 250, help: 'Set Burst for kubeconfig.' },
  master: {
    default: '',
    help: 'The address of the Kubernetes API server. Overrides any value in kubeconfig.',
  },
  'metrics-server': { default: 'http://prometheus:9090', help: 'Prometheus URL.' },
  'control-loop-interval': { default: '10s', help: 'Kubernetes API sync interval.' },
  'log-level': { default: 'debug', help: 'Log level can be: debug, info, warn, error.' },
  port: { default: '8080', help: 'Port to listen on.' },
  'slack-url': { default: '', env: 'SLACK_URL', help: 'Slack hook URL.' },
  'slack-token': { default: '', env: 'SLACK_TOKEN', help: 'Slack bot token.' },
  'slack-proxy-url': { default: '', env: 'SLACK_PROXY_URL', help: 'Slack proxy URL.' },
  'slack-user': { default: 'flagger', help: 'Slack user name.' },
  'slack-channel': { default: '', help: 'Slack channel.' },
  'event-webhook': { default: '', env: 'EVENT_WEBHOOK_URL', help: 'Webhook for publishing flagger events.' },
  'msteams-url': { default: '', env: 'MSTEAMS_URL', help: 'MS Teams incoming webhook URL.' },
  'msteams-proxy-url': { default: '', env: 'MSTEAMS_PROXY_URL', help: 'MS Teams proxy URL.' },
  'include-label-prefix': {
    default: '',
    help: 'List of prefixes of labels that are copied when creating primary deployments or daemonsets. Use * to include all.',
  },
  threadiness: { default: 2, help: 'Worker concurrency.' },
  'zap-replace-globals': {
    default: false,
    help: 'Whether to change the logging level of the global zap logger.',
  },
  'zap-encoding': { default: 'json', help: 'Zap logger encoding.' },
  namespace: { default: '', help: 'Namespace that flagger would watch canary object.' },
  'mesh-provider': {
    default: 'istio',
    help: 'Service mesh provider, can be istio, linkerd, appmesh, contour, gloo, nginx, skipper, traefik, apisix, osm or kuma.',
  },
  'selector-labels': {
    default: 'app,name,app.kubernetes.io/name',
    help: 'List of pod labels that Flagger uses to create pod selectors.',
  },
  'ingress-annotations-prefix': {
    default: 'nginx.ingress.kubernetes.io',
    help: 'Annotations prefix for NGINX ingresses.',
  },
  'ingress-class': { default: '', help: 'Ingress class used for annotating HTTPProxy objects.' },
  'enable-leader-election': { default: false, help: 'Enable leader election.' },
  'leader-election-namespace': {
    default: 'kube-system',
    help: 'Namespace used to create the leader election config map.',
  },
  'min-analysis-interval': {
    default: '10s',
    help: 'Shortest analysis interval honoured (extension; Flagger fixes 10s): lower only for local playgrounds.',
  },
  'idle-resync-interval': {
    default: '10m',
    help: 'Longest wait between two ticks of a canary with no release under way (extension; watches report changes).',
  },
  // Extensions: client-go's timings, which Flagger fixes at 60s, 15s and 5s.
  'leader-election-lease-duration': { default: '60s', help: 'How long a lease is valid (extension).' },
  'leader-election-renew-deadline': {
    default: '15s',
    help: 'How long the leader keeps trying to renew before it stops (extension).',
  },
  'leader-election-retry-period': { default: '5s', help: 'How often candidates try (extension).' },
  'enable-config-tracking': { default: true, help: 'Enable secrets and configmaps tracking.' },
  version: { default: false, help: 'Print version.' },
  'kubeconfig-service-mesh': {
    default: '',
    help: 'Path to a kubeconfig for the service mesh control plane.',
  },
  'cluster-name': { default: '', help: 'Cluster name to be included in alert msgs.' },
  'no-cross-namespace-refs': {
    default: false,
    help: 'When set to true, Flagger can only refer to resources in the same namespace.',
  },
  'dry-run': {
    default: false,
    help: 'Analyse and log every decision without changing anything (extension).',
  },
} satisfies Record<string, FlagSpec>;

export type FlagName = keyof typeof FLAGS;
type Widen<T> = T extends boolean ? boolean : T extends number ? number : string;
export type Flags = { [K in FlagName]: Widen<(typeof FLAGS)[K]['default']> };

/** Parses argv (without the node and script paths); throws on unknown flags or bad values. */
export function parseFlags(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Flags {
  const values: Record<string, FlagValue> = Object.fromEntries(
    Object.entries(FLAGS).map(([name, spec]) => [name, spec.default]),
  );
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const match = /^--?([^=]+)(?:=(.*))?$/.exec(arg);
    if (!match?.[1]) throw new Error(`unexpected argument ${JSON.stringify(arg)}`);
    const name = match[1];
    const spec = (FLAGS as Record<string, FlagSpec>)[name];
    // klog's flags (-v, -logtostderr, ...) are accepted by Flagger; they have no effect here.
    if (!spec) {
      if (/^(v|vmodule|logtostderr|alsologtostderr|stderrthreshold|log_dir|log_file)$/.test(name)) continue;
      throw new Error(`flag provided but not defined: -${name}`);
    }
    let raw = match[2];
    if (raw === undefined && typeof spec.default !== 'boolean') raw = argv[++i];
    values[name] = coerce(name, spec.default, raw);
  }
  for (const [name, spec] of Object.entries(FLAGS) as [string, FlagSpec][]) {
    const fromEnv = spec.env ? env[spec.env] : undefined;
    if (fromEnv) values[name] = fromEnv;
  }
  return values as Flags;
}

function coerce(name: string, example: FlagValue, raw: string | undefined): FlagValue {
  if (typeof example === 'boolean') {
    if (raw === undefined || raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new Error(`invalid boolean value ${JSON.stringify(raw)} for -${name}`);
  }
  if (raw === undefined) throw new Error(`flag needs an argument: -${name}`);
  if (typeof example === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n))
      throw new Error(`invalid value ${JSON.stringify(raw)} for -${name}: not a number`);
    return n;
  }
  return raw;
}

/** A comma-separated flag as a list, without empty entries. */
export function listFlag(value: string): string[] {
  return value
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
}

/** The usage text, one flag per line, like Go's flag package prints it. */
export function usage(): string {
  return Object.entries(FLAGS)
    .map(
      ([name, spec]: [string, FlagSpec]) =>
        `  -${name}\n    \t${spec.help} (default ${JSON.stringify(spec.default)})`,
    )
    .join('\n');
}
