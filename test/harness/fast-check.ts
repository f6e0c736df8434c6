// fast-check as every property and fuzz test imports it: seeded from FC_SEED (a fresh seed per run otherwise),
// and a failure says how to replay it. All the properties of a file share the seed, so FC_SEED alone replays the
// whole file. FC_PATH, a counterexample's path, would apply to every property of the file too, and another
// property cannot replay it: it goes with a --test-name-pattern that selects the failed test alone.
import fc from 'fast-check';
import { testSeed } from './seeds.ts';

export const FC_SEED = testSeed('FC_SEED');
const path = process.env.FC_PATH ?? '';

fc.configureGlobal({ seed: FC_SEED, ...(path === '' ? {} : { path }) });
fc.installGlobalPlugin(() => ({
  onAllRunsComplete: details => {
    if (!details.failed) return;
    const replay =
      `Replay: FC_SEED=${String(details.seed)} node --test <this file>; straight to the counterexample: ` +
      `FC_SEED=${String(details.seed)} FC_PATH=${String(details.counterexamplePath)} with a ` +
      '--test-name-pattern that selects this test alone';
    throw new Error(`${fc.defaultReportMessage(details)}\n${replay}`, {
      cause: details.errorInstance,
    });
  },
}));

export { fc };
