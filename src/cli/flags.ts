// Flagger's command line (cmd/flagger/main.go, Flagger 1.44): its flags with the same names, defaults and usage
// texts, klog's (klog-flags.ts), and this implementation's extensions, read with Go's flag package syntax
// (util/go-flags.ts): one or two dashes, `-name=value` or `-name value`, a boolean as `-name` or `-name=value` only;
// plus Flagger's environment overrides (SLACK_URL, EVENT_WEBHOOK_URL, ...).
import { GoFlagError, GoFlagSet, type GoFlag } from '../util/go-flags.ts';
import { quote } from '../util/go-strconv.ts';
import { KLOG_FLAGS } from './klog-flags.ts';

interface ControllerFlag {
  kind: 'string' | 'int' | 'bool' | 'duration';
  default: string | number | boolean;
  /** An environment variable that, when set and not empty, replaces the flag's value (as Flagger's fromEnv). */
  env?: string;
  usage: string;
}

const EXTENSION = '(extension; not a Flagger flag)';

// Flagger's flags with its usage texts, then this implementation's extensions.
const FLAGS = {
  kubeconfig: {
    kind: 'string',
    default: '',
    usage: 'Path to a kubeconfig. Only required if out-of-cluster.',
  },
  'kubeconfig-qps': { kind: 'int', default: 100, usage: 'Set QPS for kubeconfig.' },
  'kubeconfig-burst': { kind: 'int', default: 250, usage: 'Set Burst for kubeconfig.' },
  master: {
    kind: 'string',
    default: '',
    usage:
      'The address of the Kubernetes API server. Overrides any value in kubeconfig. Only required if out-of-cluster.',
  },
  'metrics-server': { kind: 'string', default: 'http://prometheus:9090', usage: 'Prometheus URL.' },
  'control-loop-interval': { kind: 'duration', default: '10s', usage: 'Kubernetes API sync interval.' },
  // "warning" is read as warn here; Flagger reads it as info (its logger knows only "warn").
  'log-level': { kind: 'string', default: 'debug', usage: 'Log level can be: debug, info, warning, error.' },
  port: { kind: 'string', default: '8080', usage: 'Port to listen on.' },
  'slack-url': { kind: 'string', default: '', env: 'SLACK_URL', usage: 'Slack hook URL.' },
  'slack-token': { kind: 'string', default: '', env: 'SLACK_TOKEN', usage: 'Slack bot token.' },
  'slack-proxy-url': { kind: 'string', default: '', env: 'SLACK_PROXY_URL', usage: 'Slack proxy URL.' },
  'slack-user': { kind: 'string', default: 'flagger', usage: 'Slack user name.' },
  'slack-channel': { kind: 'string', default: '', usage: 'Slack channel.' },
  'event-webhook': {
    kind: 'string',
    default: '',
    env: 'EVENT_WEBHOOK_URL',
    usage: 'Webhook for publishing flagger events',
  },
  'msteams-url': { kind: 'string', default: '', env: 'MSTEAMS_URL', usage: 'MS Teams incoming webhook URL.' },
  'msteams-proxy-url': {
    kind: 'string',
    default: '',
    env: 'MSTEAMS_PROXY_URL',
    usage: 'MS Teams proxy URL.',
  },
  'include-label-prefix': {
    kind: 'string',
    default: '',
    usage:
      'List of prefixes of labels that are copied when creating primary deployments or daemonsets. Use * to include all.',
  },
  threadiness: { kind: 'int', default: 2, usage: 'Worker concurrency.' },
  'zap-replace-globals': {
    kind: 'bool',
    default: false,
    usage: 'Whether to change the logging level of the global zap logger.',
  },
  'zap-encoding': { kind: 'string', default: 'json', usage: 'Zap logger encoding.' },
  namespace: { kind: 'string', default: '', usage: 'Namespace that flagger would watch canary object.' },
  // An unknown provider is refused at start-up (flag-checks.ts); Flagger routes it through Istio.
  'mesh-provider': {
    kind: 'string',
    default: 'istio',
    usage:
      'Service mesh provider, can be apisix, appmesh, appmesh:v1beta2, contour, gatewayapi:v1, gatewayapi:v1beta1, gloo, istio, knative, kubernetes, kuma, linkerd, nginx, osm, skipper, smi:v1alpha1, smi:v1alpha2, smi:v1alpha3, or traefik.',
  },
  'selector-labels': {
    kind: 'string',
    default: 'app,name,app.kubernetes.io/name',
    usage: 'List of pod labels that Flagger uses to create pod selectors.',
  },
  'ingress-annotations-prefix': {
    kind: 'string',
    default: 'nginx.ingress.kubernetes.io',
    usage: 'Annotations prefix for NGINX ingresses.',
  },
  'ingress-class': {
    kind: 'string',
    default: '',
    usage: 'Ingress class used for annotating HTTPProxy objects.',
  },
  'enable-leader-election': { kind: 'bool', default: false, usage: 'Enable leader election.' },
  'leader-election-namespace': {
    kind: 'string',
    default: 'kube-system',
    usage: 'Namespace used to create the leader election config map.',
  },
  'enable-config-tracking': { kind: 'bool', default: true, usage: 'Enable secrets and configmaps tracking.' },
  version: { kind: 'bool', default: false, usage: 'Print version' },
  'kubeconfig-service-mesh': {
    kind: 'string',
    default: '',
    usage: 'Path to a kubeconfig for the service mesh control plane cluster.',
  },
  'cluster-name': { kind: 'string', default: '', usage: 'Cluster name to be included in alert msgs.' },
  'no-cross-namespace-refs': {
    kind: 'bool',
    default: false,
    usage: 'When set to true, Flagger can only refer to resources in the same namespace.',
  },
  'min-analysis-interval': {
    kind: 'duration',
    default: '10s',
    usage: `Shortest analysis interval honoured; Flagger fixes 10s. Lower only for local playgrounds ${EXTENSION}.`,
  },
  'idle-resync-interval': {
    kind: 'duration',
    default: '10m',
    usage: `Longest wait between two ticks of a canary with no release under way; watches report changes ${EXTENSION}.`,
  },
  // client-go's timings, which Flagger fixes at 60s, 15s and 5s.
  'leader-election-lease-duration': {
    kind: 'duration',
    default: '60s',
    usage: `How long a lease is valid ${EXTENSION}.`,
  },
  'leader-election-renew-deadline': {
    kind: 'duration',
    default: '15s',
    usage: `How long the leader keeps trying to renew before it stops ${EXTENSION}.`,
  },
  'leader-election-retry-period': {
    kind: 'duration',
    default: '5s',
    usage: `How often candidates try ${EXTENSION}.`,
  },
  'dry-run': {
    kind: 'bool',
    default: false,
    usage: `Analyse and log every decision without changing anything ${EXTENSION}.`,
  },
} as const satisfies Record<string, ControllerFlag>;

export type FlagName = keyof typeof FLAGS;
type Widen<T> = T extends boolean ? boolean : T extends number ? number : string;
export type Flags = { [K in FlagName]: Widen<(typeof FLAGS)[K]['default']> };

const COMMAND_LINE = new GoFlagSet('flagger', {
  ...KLOG_FLAGS,
  ...Object.fromEntries(
    Object.entries(FLAGS).map(([name, flag]): [string, GoFlag] => [
      name,
      { kind: flag.kind, usage: flag.usage, default: String(flag.default) },
    ]),
  ),
});

/**
 * Parses argv (without the node and script paths) as Go's flag package parses Flagger's: throws a GoFlagError with
 * Go's message for a flag that is not defined, a bad value, or -h/-help (its `help` set). Where Go stops at the
 * first argument that is not a flag and Flagger ignores the rest, here any such argument is an error: the flags
 * after it would be silently lost.
 */
export function parseFlags(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Flags {
  const parsed = COMMAND_LINE.parse(argv);
  const extra = parsed.args[0];
  if (extra !== undefined)
    throw new GoFlagError(`unexpected argument ${quote(extra)}: Flagger's command line has flags only`);
  const value = (name: string, flag: ControllerFlag): string | number | boolean => {
    const fromEnv = flag.env === undefined ? undefined : env[flag.env];
    if (fromEnv) return fromEnv;
    if (flag.kind === 'bool') return parsed.bool(name);
    return flag.kind === 'int' ? parsed.int(name) : parsed.string(name);
  };
  const entries = Object.entries(FLAGS).map(([name, flag]: [string, ControllerFlag]) => [
    name,
    value(name, flag),
  ]);
  return Object.fromEntries(entries) as Flags;
}

/** A comma-separated flag as a list, without empty entries. */
export function listFlag(value: string): string[] {
  return value
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
}

/** What Go's flag.Usage prints for Flagger's command line: "Usage of flagger:", then each flag, sorted. */
export function usage(): string {
  return COMMAND_LINE.usage();
}
