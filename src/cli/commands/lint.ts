// `flagger lint -f FILE...`: offline schema and semantic validation of Canary, MetricTemplate and AlertProvider
// YAML, the same checks as `flagger validate` (cli/validate.ts) and the controller; exit 1 on any error.
import { readFileSync } from 'node:fs';
import { findingLine, validateYaml, type Finding } from '../validate.ts';
import {
  colorsFor,
  helpRequested,
  outputFormat,
  OUTPUT_OPTION,
  parseCommandArgs,
  println,
  printStructured,
  run,
  UsageError,
  type Io,
} from './common.ts';

export const LINT_USAGE = `usage: flagger lint -f FILE [-f FILE...] [--mesh-provider NAME] [--no-cross-namespace-refs] [-o table|json|yaml]
  -f, --filename FILE          YAML file to check (repeatable; files may also be given without -f)
  --mesh-provider NAME         the controller's -mesh-provider, for canaries without spec.provider (default istio)
  --no-cross-namespace-refs    the controller's -no-cross-namespace-refs`;

const OPTIONS = {
  ...OUTPUT_OPTION,
  help: { type: 'boolean', short: 'h' },
  filename: { type: 'string', short: 'f', multiple: true },
  'mesh-provider': { type: 'string' },
  'no-cross-namespace-refs': { type: 'boolean' },
} as const;

export interface FileReport {
  file: string;
  /** Set when the file could not be read. */
  error?: string;
  findings: Finding[];
}

export async function runLint(args: string[], io: Io): Promise<number> {
  return run(io, LINT_USAGE, () => {
    const { values, positionals } = parseCommandArgs(args, OPTIONS);
    if (helpRequested(io, values, LINT_USAGE)) return Promise.resolve(0);
    const files = [...(values.filename ?? []), ...positionals];
    if (files.length === 0) throw new UsageError('no file to check: pass -f FILE');
    const format = outputFormat(values.output);
    const options = {
      meshProvider: values['mesh-provider'] ?? 'istio',
      noCrossNamespaceRefs: values['no-cross-namespace-refs'] === true,
    };
    const reports = files.map((file): FileReport => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        const { code, message } = err as NodeJS.ErrnoException;
        const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : message;
        return { file, error: `cannot read the file: ${why}`, findings: [] };
      }
      return { file, findings: validateYaml(text, options) };
    });
    const failed = reports.some(r => r.error !== undefined || r.findings.some(f => f.level === 'error'));
    if (format === 'table') printReports(io, reports);
    else printStructured(io, format, { ok: !failed, files: reports });
    return Promise.resolve(failed ? 1 : 0);
  });
}

function printReports(io: Io, reports: FileReport[]): void {
  const colors = colorsFor(io.out, io.env);
  let errors = 0;
  let warnings = 0;
  for (const report of reports) {
    if (report.error !== undefined) {
      errors++;
      println(io.out, `${report.file}: ${colors.red('error')}: ${report.error}`);
      continue;
    }
    for (const finding of report.findings) {
      if (finding.level === 'error') errors++;
      else warnings++;
      const line = findingLine(report.file, finding);
      println(
        io.out,
        finding.level === 'error' ? line.replace(': error: ', `: ${colors.red('error')}: `) : line,
      );
    }
    if (!report.findings.some(f => f.level === 'error'))
      println(io.out, `${report.file}: ${colors.green('ok')}`);
  }
  const files = `${reports.length} file${reports.length === 1 ? '' : 's'}`;
  println(
    io.out,
    `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in ${files}`,
  );
}
