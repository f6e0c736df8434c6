// Message templates (extension: Flagger always sends its own text). A template rewrites the message of an alert
// in the style of the metric query templates: `{{ name }}`, one variable per action, the trim markers `{{-` and
// `-}}` and comments `{{/* ... */}}`. Example: "{{ namespace }}/{{ name }} ({{ phase }}, {{ weight }}%): {{ message }}".
// A template that does not parse or names an unknown variable is an error; the caller then sends the default
// message and reports the error, so a broken template never loses an alert.
import type { AlertSeverity, Canary } from '../api/canary.ts';
import { executeTemplate, parseTemplate, type TemplateDialect } from '../util/go-template.ts';

/** The variables of a message template. */
export interface MessageModel {
  /** The Canary's name and namespace. */
  name: string;
  namespace: string;
  /** status.phase, empty before the first status. */
  phase: string;
  /** targetRef.name. */
  target: string;
  /** status.canaryWeight (0 when unset). */
  weight: string;
  /** status.failedChecks (0 when unset). */
  failedChecks: string;
  /** The alert's default text, e.g. "Canary analysis failed". */
  message: string;
  /** info, warn or error. */
  severity: Exclude<AlertSeverity, ''>;
}

export function messageModel(
  canary: Canary,
  message: string,
  severity: Exclude<AlertSeverity, ''>,
): MessageModel {
  return {
    name: canary.metadata.name ?? '',
    namespace: canary.metadata.namespace ?? '',
    phase: canary.status?.phase ?? '',
    target: canary.spec.targetRef.name,
    weight: String(canary.status?.canaryWeight ?? 0),
    failedChecks: String(canary.status?.failedChecks ?? 0),
    message,
    severity,
  };
}

const MESSAGE_TEMPLATES: TemplateDialect = {
  name: 'message',
  functions: new Set<string>([
    'name',
    'namespace',
    'phase',
    'target',
    'weight',
    'failedChecks',
    'message',
    'severity',
  ] satisfies (keyof MessageModel)[]),
  hint: 'use {{ name }}',
};

/** Renders a message template; throws an Error naming the problem and its line. */
export function renderMessage(template: string, model: MessageModel): string {
  const parsed = parseTemplate(template, MESSAGE_TEMPLATES);
  // Message variables are plain strings: a .field chain is an execution error, as in Go.
  return executeTemplate(parsed, { ...model }, MESSAGE_TEMPLATES);
}

/** The message to send: the rendered template, or the default message and the template's error. */
export function applyTemplate(
  template: string | undefined,
  model: MessageModel,
): { message: string; error?: Error } {
  if (template === undefined || template === '') return { message: model.message };
  try {
    return { message: renderMessage(template, model) };
  } catch (err) {
    return { message: model.message, error: err instanceof Error ? err : new Error(String(err)) };
  }
}
