import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationFlag, flagProblems } from './flag-checks.ts';
import { parseFlags } from './flags.ts';

const problems = (...argv: string[]) => flagProblems(parseFlags(argv, {}));

describe('controller flag checks', () => {
  it("accepts Flagger's defaults and typical values", () => {
    assert.deepEqual(problems(), []);
    assert.deepEqual(
      problems(
        '-mesh-provider=smi:v1alpha3:linkerd',
        '-port=9090',
        '-control-loop-interval=1m30s',
        '-kubeconfig-qps=5',
      ),
      [],
    );
    assert.deepEqual(problems('-mesh-provider=gatewayapi', '-slack-url=https://hooks.slack.com/x'), []);
  });

  it('names every bad flag in one list', () => {
    const found = problems(
      '-control-loop-interval=0s',
      '-port=http',
      '-kubeconfig-qps=0',
      '-kubeconfig-burst=-1',
      '-threadiness=0',
      '-zap-encoding=logfmt',
      '-mesh-provider=istoi',
      '-metrics-server=prometheus:9090',
      '-selector-labels=,',
    );
    assert.deepEqual(
      found.map(line => /^-([a-z-]+)/.exec(line)?.[1]),
      [
        'control-loop-interval',
        'metrics-server',
        'port',
        'kubeconfig-qps',
        'kubeconfig-burst',
        'threadiness',
        'zap-encoding',
        'mesh-provider',
        'selector-labels',
      ],
    );
    assert.match(found.join('\n'), /-mesh-provider="istoi": unknown provider "istoi"/);
    assert.match(found.join('\n'), /-port="http": not a TCP port/);
    assert.match(found.join('\n'), /-control-loop-interval="0s": not a positive duration/);
    assert.match(found.join('\n'), /-metrics-server="prometheus:9090": not an http\(s\) URL/);
  });

  it('never shows the secrets of a bad URL flag', () => {
    assert.deepEqual(
      problems(
        '-slack-url=hooks.slack.com/services/T0/B0/s3cret',
        '-event-webhook=ftp://u:s3cret@hooks/x?t=s3cret',
      ),
      [
        '-event-webhook="ftp://hooks/x?t=xxxxx": not an http(s) URL',
        '-slack-url="xxxxx": not an http(s) URL',
      ],
    );
  });

  it("applies client-go's rules to the leader election timings", () => {
    assert.deepEqual(
      problems(
        '-leader-election-lease-duration=10s',
        '-leader-election-renew-deadline=10s',
        '-leader-election-retry-period=9s',
      ),
      [
        '-leader-election-lease-duration must be longer than -leader-election-renew-deadline',
        '-leader-election-renew-deadline must be longer than 1.2 x -leader-election-retry-period',
      ],
    );
  });

  it('reads durations in milliseconds', () => {
    assert.equal(
      durationFlag(parseFlags(['-min-analysis-interval=1m30s'], {}), 'min-analysis-interval'),
      90_000,
    );
  });
});
