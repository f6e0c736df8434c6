// Writes src/playground/crds/istio.yaml (npm run gen:playground-crds) from the upstream Istio CRDs in
// shared/compat/crds: the demo's cluster must work without shared/, the tests check that the copy is current.
import { writeFileSync } from 'node:fs';
import { playgroundIstioCrdsYaml } from '../test/harness/upstream-crds.ts';

const target = new URL('../src/playground/crds/istio.yaml', import.meta.url);
writeFileSync(target, playgroundIstioCrdsYaml());
console.log(`wrote ${target.pathname}`);
