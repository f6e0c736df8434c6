// `flagger validate FILE...`: checks Canary, MetricTemplate and AlertProvider YAML the way the cluster would:
// the CRD schema (what the API server refuses or prunes) and the controller's semantic rules.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { AlertProvider } from '../api/alert-provider.ts';
import type { Canary } from '../api/canary.ts';
import type { MetricTemplate } from '../api/metric-template.ts';
import { checkSchema } from '../api/schema-check.ts';
import {
  validateAlertProvider,
  validateCanary,
  validateMetricTemplate,
  type Problem,
} from '../api/validate.ts';

export interface ValidateOptions {
  meshProvider: string;
  noCrossNamespaceRefs: boolean;
}

/** One finding about one object: an error keeps it from working, a warning loses part of it. */
export interface Finding {
  object: string;
  level: 'error' | 'warning';
  message: string;
}

/** Checks every object in the YAML text; objects of other kinds are ignored. */
export function validateYaml(text: string, options: ValidateOptions): Finding[] {
  const findings: Finding[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) {
      findings.push({
        object: '(yaml)',
        level: 'error',
        message: document.errors.map(e => e.message).join('; '),
      });
      continue;
    }
    let object: { kind?: string; metadata?: { name?: string } } | null;
    try {
      object = document.toJS() as typeof object;
    } catch (err) {
      // yaml refuses alias bombs ("Excessive alias count") when it builds the value.
      findings.push({ object: '(yaml)', level: 'error', message: (err as Error).message });
      continue;
    }
    if (!object || !['Canary', 'MetricTemplate', 'AlertProvider'].includes(object.kind ?? '')) continue;
    findings.push(...validateObject(object, options));
  }
  return findings;
}

function validateObject(
  object: { kind?: string; metadata?: { name?: string } },
  options: ValidateOptions,
): Finding[] {
  // A hostile file may name an object with a non-string, even one that cannot be printed ({toString: 1}).
  const metadataName = object.metadata?.name;
  const name = `${object.kind ?? ''}/${typeof metadataName === 'string' ? metadataName : '(unnamed)'}`;
  const { errors, pruned } = checkSchema(object);
  const findings: Finding[] = [
    ...errors.map(message => ({ object: name, level: 'error' as const, message })),
    ...pruned.map(path => ({
      object: name,
      level: 'warning' as const,
      message: `${path}: unknown field, dropped by the API server`,
    })),
  ];
  if (errors.length > 0) return findings;
  const problems = semanticProblems(object, options);
  return [...findings, ...problems.map(p => ({ object: name, level: 'error' as const, message: p.message }))];
}

function semanticProblems(object: { kind?: string }, options: ValidateOptions): Problem[] {
  switch (object.kind) {
    case 'Canary':
      return validateCanary(object as Canary, options);
    case 'MetricTemplate':
      return validateMetricTemplate(object as MetricTemplate);
    case 'AlertProvider':
      return validateAlertProvider(object as AlertProvider);
    default:
      return [];
  }
}

/** How a finding is printed: `FILE: Kind/name: level: message`. */
export function findingLine(file: string, finding: Finding): string {
  return `${file}: ${finding.object}: ${finding.level}: ${finding.message}`;
}

/** Runs the command; returns the exit code (1 when any object has an error). */
export function runValidate(files: string[], options: ValidateOptions, out: (line: string) => void): number {
  if (files.length === 0) {
    out('usage: flagger validate FILE...');
    return 2;
  }
  let failed = false;
  for (const file of files) {
    const findings = validateYaml(readFileSync(file, 'utf8'), options);
    for (const f of findings) out(findingLine(file, f));
    if (findings.some(f => f.level === 'error')) failed = true;
    else out(`${file}: ok`);
  }
  return failed ? 1 : 0;
}
