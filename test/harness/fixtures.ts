// The objects every schema test runs through: the compatibility corpus of real Flagger objects
// (../shared/compat, present in this project's CI) and the re-indented examples of the spec. A missing or empty
// folder is an error, never a skip: the tests would check nothing and pass.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const ROOT = new URL('../../', import.meta.url);
const COMPAT = new URL('../shared/compat/', ROOT);
const UPSTREAM = new URL('upstream/', COMPAT);
const SPEC_EXAMPLES = new URL('test/fixtures/spec-examples/', ROOT);
const FIXTURES = new URL('test/fixtures/', ROOT);

export interface FixtureFile {
  file: string;
  objects: Record<string, unknown>[];
  /** The file's leading comment lines. */
  header: string[];
}

export interface CorpusFile extends FixtureFile {
  /** What an API server serving our CRDs must do with it. */
  expect: 'accept' | 'reject';
  /** Why ours accepts what Flagger's CRD rejects, for the few objects an additive extension lets in. */
  extension?: string;
}

/** Objects Flagger's CRD rejects but ours accepts on purpose, each through a documented additive extension. */
const acceptedByExtension: Partial<Record<string, string>> = {
  'alertprovider-docs-gitbook-usage-alerting-md-2f304db4.yaml': 'address and secretRef together',
};

/** The compatibility corpus: ../shared/compat, which CI lays beside the clone as it is beside the working tree. */
export function corpus(): CorpusFile[] {
  if (!existsSync(UPSTREAM)) {
    throw new Error(
      `${fileURLToPath(UPSTREAM)} not found: the schema tests need the compatibility corpus of Flagger's ` +
        'objects (<repo>/../shared/compat)',
    );
  }
  const accepted = new Set(
    readFileSync(new URL('accepted-by-flagger.txt', COMPAT), 'utf8')
      .split('\n')
      .map(line => line.trim())
      .filter(Boolean),
  );
  return yamlFiles(UPSTREAM).map(file => {
    const extension = acceptedByExtension[file];
    const expect = accepted.has(file) || extension ? 'accept' : 'reject';
    return { ...load(UPSTREAM, file), expect, ...(extension ? { extension } : {}) };
  });
}

/** The spec's examples, re-indented as valid YAML. */
export function specExamples(): FixtureFile[] {
  return yamlFiles(SPEC_EXAMPLES).map(file => load(SPEC_EXAMPLES, file));
}

/** Flagger 1.44's own CRDs (Canary, MetricTemplate, AlertProvider), as a cluster may still serve them. */
export function flaggerCrds(): Record<string, unknown>[] {
  return load(FIXTURES, 'flagger-1.44-crds.yaml').objects;
}

function load(folder: URL, file: string): FixtureFile {
  const text = readFileSync(new URL(file, folder), 'utf8');
  const objects = parseAllDocuments(text)
    .map(document => document.toJS() as unknown)
    .filter((object): object is Record<string, unknown> => object !== null && typeof object === 'object');
  return { file, objects, header: text.split('\n').filter(line => line.startsWith('#')) };
}

function yamlFiles(folder: URL): string[] {
  const files = readdirSync(folder)
    .filter(name => name.endsWith('.yaml'))
    .sort();
  if (files.length === 0) throw new Error(`${fileURLToPath(folder)} has no .yaml file`);
  return files;
}
