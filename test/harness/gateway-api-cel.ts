// The CEL rules (x-kubernetes-validations) of the Gateway API HTTPRoute CRD that a route we generate can hit,
// as predicates: the test API server (Kubernetes 1.20) cannot run them, so the unit tests do. Each cites its rule
// in shared/compat/crds/gateway-api-httproutes-standard.yaml by the path it sits on and its message. Rules on
// fields we never write (RequestRedirect, ExtensionRef, mirror fractions) are left out.
import { parseDuration } from '../../src/api/duration.ts';
import type { HttpRoute, RouteFilter, RouteMatch, RouteRule } from '../../src/routers/gateway-api-types.ts';

interface Rule<T> {
  /** Where the rule sits in the schema, and its message. */
  at: string;
  message: string;
  holds: (value: T) => boolean;
}

/** The violated rules of a route, each as "<path>: <message>". */
export function httpRouteCelViolations(route: HttpRoute): string[] {
  const spec = route.spec ?? {};
  const rules = spec.rules ?? [];
  return [
    ...check(PARENT_REFS_RULES, spec.parentRefs ?? []),
    ...check(RULES_RULES, rules),
    ...rules.flatMap(rule => [
      ...check(RULE_RULES, rule),
      ...(rule.matches ?? []).flatMap(match => check(PATH_RULES, match)),
      ...filterViolations('spec.rules[].filters', rule.filters),
      ...(rule.backendRefs ?? []).flatMap(ref => [
        ...check([servicePortRule('spec.rules[].backendRefs[]')], ref),
        ...filterViolations('spec.rules[].backendRefs[].filters', ref.filters),
      ]),
      ...check(TIMEOUT_RULES, rule.timeouts ?? {}),
    ]),
  ];
}

function check<T>(rules: readonly Rule<T>[], value: T): string[] {
  return rules.filter(rule => !rule.holds(value)).map(rule => `${rule.at}: ${rule.message}`);
}

type ParentRef = NonNullable<NonNullable<HttpRoute['spec']>['parentRefs']>[number];

/** Same parent (CEL compares group, kind, name and namespace, an empty namespace as a missing one). */
function sameParent(a: ParentRef, b: ParentRef): boolean {
  return (
    a.group === b.group &&
    a.kind === b.kind &&
    a.name === b.name &&
    (a.namespace ?? '') === (b.namespace ?? '')
  );
}

const PARENT_REFS_RULES: Rule<ParentRef[]>[] = [
  {
    at: 'spec.parentRefs',
    message: 'sectionName must be specified when parentRefs includes 2 or more references to the same parent',
    holds: refs => refs.every(a => refs.every(b => !sameParent(a, b) || !a.sectionName === !b.sectionName)),
  },
  {
    at: 'spec.parentRefs',
    message: 'sectionName must be unique when parentRefs includes 2 or more references to the same parent',
    holds: refs =>
      refs.every(
        a =>
          refs.filter(b => sameParent(a, b) && (a.sectionName ?? '') === (b.sectionName ?? '')).length === 1,
      ),
  },
];

const RULES_RULES: Rule<RouteRule[]>[] = [
  {
    at: 'spec.rules',
    message:
      'While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a ' +
      'route must be less than 128',
    holds: rules => rules.reduce((total, rule) => total + (rule.matches?.length ?? 0), 0) <= 128,
  },
];

/** As the rule sees matches after defaulting: a rule without matches, or a match without a path, has PathPrefix /. */
const onePathPrefix = (matches: RouteMatch[] | undefined) =>
  matches === undefined ||
  (matches.length === 1 && (matches[0]?.path?.type ?? 'PathPrefix') === 'PathPrefix');
const replacesPrefix = (filter: RouteFilter) =>
  filter.urlRewrite?.path?.type === 'ReplacePrefixMatch' &&
  filter.urlRewrite.path.replacePrefixMatch !== undefined;

const RULE_RULES: Rule<RouteRule>[] = [
  {
    at: 'spec.rules[]',
    message:
      'When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified',
    holds: rule => (rule.filters ?? []).filter(replacesPrefix).length !== 1 || onePathPrefix(rule.matches),
  },
  {
    at: 'spec.rules[]',
    message:
      'Within backendRefs, When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix ' +
      'match must be specified',
    holds: rule =>
      (rule.backendRefs ?? []).filter(ref => (ref.filters ?? []).filter(replacesPrefix).length === 1)
        .length !== 1 || onePathPrefix(rule.matches),
  },
];

const PATH_TYPES = ['Exact', 'PathPrefix'];
const pathRule = (message: string, holds: (value: string) => boolean): Rule<RouteMatch> => ({
  at: 'spec.rules[].matches[].path',
  message,
  holds: match =>
    match.path === undefined || !PATH_TYPES.includes(match.path.type) || holds(match.path.value),
});

const PATH_RULES: Rule<RouteMatch>[] = [
  pathRule(
    "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']",
    value => value.startsWith('/'),
  ),
  ...['//', '/./', '/../', '%2f', '%2F', '#'].map(part =>
    pathRule(
      `must not contain '${part}' when type one of ['Exact', 'PathPrefix']`,
      value => !value.includes(part),
    ),
  ),
  ...['/..', '/.'].map(end =>
    pathRule(
      `must not end with '${end}' when type one of ['Exact', 'PathPrefix']`,
      value => !value.endsWith(end),
    ),
  ),
  pathRule(
    "must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for " +
      "types ['Exact', 'PathPrefix']",
    value => /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/.test(value),
  ),
];

const TIMEOUT_RULES: Rule<NonNullable<RouteRule['timeouts']>>[] = [
  {
    at: 'spec.rules[].timeouts',
    message: 'backendRequest timeout cannot be longer than request timeout',
    holds: ({ request, backendRequest }) => {
      if (request === undefined || backendRequest === undefined) return true;
      const requestMs = parseDuration(request) ?? NaN;
      return requestMs === 0 || (parseDuration(backendRequest) ?? NaN) <= requestMs;
    },
  },
];

/** "Must have port for Service reference", on backendRefs and on mirror backendRefs. */
function servicePortRule(at: string): Rule<{ group?: string; kind?: string; port?: number }> {
  return {
    at,
    message: 'Must have port for Service reference',
    holds: ref =>
      !((ref.group ?? '') === '' && (ref.kind ?? 'Service') === 'Service') || ref.port !== undefined,
  };
}

/** The filter types we write, each with the field that carries it. */
const FILTER_FIELDS = {
  RequestHeaderModifier: 'requestHeaderModifier',
  ResponseHeaderModifier: 'responseHeaderModifier',
  RequestMirror: 'requestMirror',
  URLRewrite: 'urlRewrite',
  CORS: 'cors',
} as const;

/** The rules on a filter list (rule filters and backendRef filters have the same ones) and on its filters. */
function filterViolations(at: string, filters: RouteFilter[] | undefined): string[] {
  const list = filters ?? [];
  const repeated: Rule<RouteFilter[]>[] = [
    'CORS',
    'RequestHeaderModifier',
    'ResponseHeaderModifier',
    'URLRewrite',
  ].map(type => ({
    at,
    message: `${type} filter cannot be repeated`,
    holds: all => all.filter(filter => filter.type === type).length <= 1,
  }));
  const fieldRules: Rule<RouteFilter>[] = Object.entries(FILTER_FIELDS).flatMap(([type, field]) => [
    {
      at: `${at}[]`,
      message: `filter.${field} must be nil if the filter.type is not ${type}`,
      holds: filter => filter[field] === undefined || filter.type === type,
    },
    {
      at: `${at}[]`,
      message: `filter.${field} must be specified for ${type} filter.type`,
      holds: filter => filter[field] !== undefined || filter.type !== type,
    },
  ]);
  const noWildcardWithOthers = (field: 'allowHeaders' | 'allowMethods' | 'allowOrigins', what: string) => ({
    at: `${at}[].cors.${field}`,
    message: `${what} cannot contain '*' alongside other ${what === 'AllowOrigins' ? 'origins' : 'methods'}`,
    holds: (filter: RouteFilter) => {
      const values = filter.cors?.[field] ?? [];
      return !(values.includes('*') && values.length > 1);
    },
  });
  const rewritePath = (filter: RouteFilter) => filter.urlRewrite?.path;
  const valueRules: Rule<RouteFilter>[] = [
    noWildcardWithOthers('allowHeaders', 'AllowHeaders'),
    noWildcardWithOthers('allowMethods', 'AllowMethods'),
    noWildcardWithOthers('allowOrigins', 'AllowOrigins'),
    ...(['ReplaceFullPath', 'ReplacePrefixMatch'] as const).flatMap(type => {
      const field = type === 'ReplaceFullPath' ? 'replaceFullPath' : 'replacePrefixMatch';
      return [
        {
          at: `${at}[].urlRewrite.path`,
          message: `${field} must be specified when type is set to '${type}'`,
          holds: (filter: RouteFilter) =>
            rewritePath(filter)?.type !== type || rewritePath(filter)?.[field] !== undefined,
        },
        {
          at: `${at}[].urlRewrite.path`,
          message: `type must be '${type}' when ${field} is set`,
          holds: (filter: RouteFilter) =>
            rewritePath(filter)?.[field] === undefined || rewritePath(filter)?.type === type,
        },
      ];
    }),
  ];
  const mirrorPort = servicePortRule(`${at}[].requestMirror.backendRef`);
  return [
    ...check(repeated, list),
    ...list.flatMap(filter => [
      ...check([...fieldRules, ...valueRules], filter),
      ...(filter.requestMirror ? check([mirrorPort], filter.requestMirror.backendRef) : []),
    ]),
  ];
}
