// Writes the CRDs generated from the schemas in src/api (npm run gen:crds): deploy/crds/crds.yaml and the Helm
// chart's copies. Refuses to write CRDs that a Kubernetes API server would reject as non-structural.
import { mkdirSync, writeFileSync } from 'node:fs';
import { buildCrds, generatedCrdFiles } from '../src/api/crds.ts';
import { structuralViolations } from '../src/api/schema-audit.ts';

const problems = buildCrds().flatMap(crd =>
  crd.spec.versions.flatMap(version =>
    structuralViolations(version.schema.openAPIV3Schema).map(problem => `${crd.metadata.name}${problem}`),
  ),
);
if (problems.length > 0) {
  console.error(`not structural:\n${problems.join('\n')}`);
  process.exit(1);
}

for (const [path, text] of Object.entries(generatedCrdFiles())) {
  const target = new URL(`../${path}`, import.meta.url);
  mkdirSync(new URL('.', target), { recursive: true });
  writeFileSync(target, text);
  console.log(`wrote ${target.pathname}`);
}
