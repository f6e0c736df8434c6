// Property tests of the Go template subset through its two dialects: metric queries (metrics/render.ts) and alert
// message templates (notifiers/template.ts). Any template and any model either renders or fails with an Error
// naming the line; text without actions is unchanged; model values are inserted, never interpreted; and no
// template makes rendering hang. A failure prints the FC_SEED that replays it (test/harness/fast-check.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { FC_SEED, fc } from '../../test/harness/fast-check.ts';
import { renderQuery, type QueryModel } from '../metrics/render.ts';
import { applyTemplate, renderMessage, type MessageModel } from '../notifiers/template.ts';

const QUERY_FUNCTIONS = ['name', 'namespace', 'target', 'service', 'ingress', 'route', 'interval'] as const;
const MESSAGE_FUNCTIONS = [
  'name',
  'namespace',
  'phase',
  'target',
  'weight',
  'failedChecks',
  'message',
] as const;
/** Keys that name something on every object's prototype: a template must never reach those. */
const HOSTILE_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

const value = fc.oneof(
  fc.string(),
  fc.constantFrom('{{ name }}', '{{', '}}', '{{ variables.a }}', '\u0000', '../', '%s'),
);
const variableKey = fc.oneof(fc.constantFrom('a', 'b', 'key_1', ...HOSTILE_KEYS), fc.string());

const queryModel: fc.Arbitrary<QueryModel> = fc.record({
  name: value,
  namespace: value,
  target: value,
  service: value,
  ingress: value,
  route: value,
  interval: value,
  variables: fc.dictionary(variableKey, value, { maxKeys: 5 }),
});

const messageModel: fc.Arbitrary<MessageModel> = fc.record({
  name: value,
  namespace: value,
  phase: value,
  target: value,
  weight: value,
  failedChecks: value,
  message: value,
  severity: fc.constantFrom('info', 'warn', 'error'),
});

/** Pieces that make templates tricky: delimiters, trim markers, comments, field chains, Go syntax we lack. */
const TOKENS = [
  '{{',
  '}}',
  '{{-',
  '-}}',
  '{{- ',
  ' -}}',
  '{{/*',
  '*/}}',
  '/*',
  '*/',
  ' ',
  '\n',
  '\t',
  '.',
  '-',
  ...QUERY_FUNCTIONS,
  ...MESSAGE_FUNCTIONS,
  'variables',
  'variables.a',
  '.a',
  ...HOSTILE_KEYS,
  'if',
  'end',
  'range',
  '"s"',
  '$x',
  '|',
  '(',
  ')',
  '3',
  'µ',
  '😀',
  '\u0000',
];

/** Text with no action in it. */
const plainText = fc.string({ unit: 'binary' }).filter(text => !text.includes('{{'));

const name = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...QUERY_FUNCTIONS, ...MESSAGE_FUNCTIONS) },
  { weight: 1, arbitrary: fc.constantFrom('variables', 'nope', ...HOSTILE_KEYS) },
);
/** The inside of an action: mostly well formed (a name and a field chain, or a comment), sometimes not. */
const actionBody = fc.oneof(
  { weight: 3, arbitrary: name },
  {
    weight: 2,
    arbitrary: fc.constantFrom('a', 'b', 'key_1', ...HOSTILE_KEYS).map(key => `variables.${key}`),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(name, fc.array(variableKey, { maxLength: 3 })).map(([n, f]) => [n, ...f].join('.')),
  },
  { weight: 1, arbitrary: plainText.map(text => `/*${text.replaceAll('*/', '')}*/`) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...TOKENS), { maxLength: 4 }).map(a => a.join('')) },
);
const action = fc
  .tuple(
    // Mostly delimiters and trim markers as written, sometimes a broken one ("{{-x", "x-}}", no "}}").
    fc.constantFrom('{{', '{{', '{{- ', '{{- ', '{{-'),
    fc.constantFrom('', ' ', '\n'),
    actionBody,
    fc.constantFrom('}}', '}}', ' }}', ' -}}', ' -}}', '-}}', ''),
  )
  .map(parts => parts.join(''));

const template = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.oneof(plainText, action), { maxLength: 5 }).map(a => a.join('')) },
  fc
    .array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 4 })), { maxLength: 40 })
    .map(a => a.join('')),
  fc.string({ unit: 'binary' }),
);

/** Renders with `render`; returns the output or the Error thrown (anything else thrown fails the test). */
function outcome(render: () => string): string | Error {
  try {
    return render();
  } catch (err) {
    assert.ok(err instanceof Error, `threw a non-Error: ${String(err)}`);
    return err;
  }
}

/** The error names its dialect and a line of the template: "template: tmpl:3: ...". */
function assertTemplateError(err: Error, prefix: RegExp, source: string): void {
  const match = prefix.exec(err.message);
  assert.ok(match, `unexpected message: ${err.message}`);
  const line = Number(match[1]);
  assert.ok(line >= 1 && line <= source.split('\n').length, `line ${line} is not in the template`);
  assert.ok(err.message.length > match[0].length + 2, `no reason given: ${err.message}`);
}

const QUERY_ERROR = /^template (?:parsing|excution) failed: template: tmpl:(\d+)[:]/;
const MESSAGE_ERROR = /^template: message:(\d+)[:]/;

describe('renderQuery (property)', () => {
  it('renders any template or fails with an Error naming the line', () => {
    fc.assert(
      fc.property(template, queryModel, (text, model) => {
        const result = outcome(() => renderQuery(text, model));
        if (result instanceof Error) assertTemplateError(result, QUERY_ERROR, text);
        assert.deepEqual(
          outcome(() => renderQuery(text, model)),
          result,
          'rendering is deterministic',
        );
      }),
      { numRuns: 3_000 },
    );
  });

  it('leaves text without actions unchanged', () => {
    fc.assert(
      fc.property(plainText, queryModel, (text, model) => assert.equal(renderQuery(text, model), text)),
      { numRuns: 1_000 },
    );
  });

  it('inserts model values as they are, never rendering them again', () => {
    const pieces = fc.array(
      fc.tuple(
        // No trailing "{": it would pair with the action's braces.
        plainText.filter(text => !text.endsWith('{')),
        fc.constantFrom(...QUERY_FUNCTIONS),
        fc.boolean(),
        fc.boolean(),
      ),
      { maxLength: 6 },
    );
    fc.assert(
      fc.property(pieces, plainText, queryModel, (parts, tail, model) => {
        const text =
          parts
            .map(([before, fn, left, right]) => `${before}{{${left ? '- ' : ' '}${fn}${right ? ' -' : ' '}}}`)
            .join('') + tail;
        assert.equal(
          renderQuery(text, model),
          expectedOutput(parts, tail, fn => model[fn]),
        );
      }),
      { numRuns: 1_000 },
    );
  });

  it('reads only the variables that are set, whatever their names', () => {
    fc.assert(
      fc.property(
        variableKey.filter(key => /^[A-Za-z_]\w*$/.test(key)),
        queryModel,
        (key, model) => {
          const result = outcome(() => renderQuery(`{{ variables.${key} }}`, model));
          if (Object.hasOwn(model.variables, key)) assert.equal(result, model.variables[key]);
          else {
            assert.ok(result instanceof Error);
            assert.match(result.message, new RegExp(`map has no entry for key "${key}"`));
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('message templates (property)', () => {
  it('renders any template or fails with an Error naming the line', () => {
    fc.assert(
      fc.property(template, messageModel, (text, model) => {
        const result = outcome(() => renderMessage(text, model));
        if (result instanceof Error) assertTemplateError(result, MESSAGE_ERROR, text);
      }),
      { numRuns: 3_000 },
    );
  });

  it('applyTemplate never throws: a broken template sends the default message and reports why', () => {
    fc.assert(
      fc.property(fc.option(template, { nil: undefined }), messageModel, (text, model) => {
        const { message, error } = applyTemplate(text, model);
        if (error === undefined) {
          const expected = text === undefined || text === '' ? model.message : renderMessage(text, model);
          assert.equal(message, expected);
        } else {
          assert.ok(error instanceof Error && error.message !== '');
          assert.equal(message, model.message);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('leaves text without actions unchanged', () => {
    fc.assert(
      fc.property(plainText, messageModel, (text, model) => assert.equal(renderMessage(text, model), text)),
      { numRuns: 1_000 },
    );
  });
});

/**
 * What a template of text parts and `{{ fn }}` actions renders to: the values, with the whitespace next to a
 * trim marker removed as Go removes it.
 */
function expectedOutput<F extends string>(
  parts: [string, F, boolean, boolean][],
  tail: string,
  lookup: (fn: F) => string,
): string {
  const texts = [...parts.map(([before]) => before), tail];
  parts.forEach(([, , left, right], index) => {
    if (left) texts[index] = (texts[index] ?? '').replace(/[ \t\r\n]+$/, '');
    if (right) texts[index + 1] = (texts[index + 1] ?? '').replace(/^[ \t\r\n]+/, '');
  });
  return texts.map((text, index) => text + (parts[index] ? lookup(parts[index][1]) : '')).join('');
}

describe('template rendering time (property)', () => {
  // A hanging template would block the event loop, so the templates are rendered in a worker that is
  // terminated when it overruns; the last template it started is the one reported.
  it('renders every template in bounded time, huge and adversarial ones included', async () => {
    const generated = fc.sample(template, 2_000);
    const huge = [
      '{{'.repeat(100_000),
      '{{/*'.repeat(100_000),
      `{{ variables${'.a'.repeat(100_000)} }}`,
      `{{ name${' '.repeat(100_000)}x }}`,
      `{{-${' '.repeat(100_000)}`,
      `${'\n'.repeat(100_000)}{{ nope }}`,
      'x'.repeat(1_000_000),
    ];
    const stuck = await renderInWorker([...huge, ...generated], 60_000);
    // fc.sample reports no failure of its own: the seed that drew the templates is in the message.
    assert.equal(
      stuck,
      undefined,
      `rendering did not finish (FC_SEED=${String(FC_SEED)}): ${JSON.stringify(stuck?.slice(0, 200))}`,
    );
  });
});

/** Renders every template in a worker; resolves undefined when all finished, else the one it was rendering. */
function renderInWorker(templates: string[], limitMs: number): Promise<string | undefined> {
  const render = new URL('../metrics/render.ts', import.meta.url).href;
  const message = new URL('../notifiers/template.ts', import.meta.url).href;
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    Promise.all([import(${JSON.stringify(render)}), import(${JSON.stringify(message)})]).then(([q, m]) => {
      const model = { name: 'n', namespace: 'ns', target: 't', service: 's', ingress: 'i', route: 'r',
        interval: '1m', variables: { a: 'x' }, phase: 'p', weight: '1', failedChecks: '0', message: 'm',
        severity: 'info' };
      workerData.forEach((text, index) => {
        parentPort.postMessage(index);
        try { q.renderQuery(text, model); } catch {}
        try { m.renderMessage(text, model); } catch {}
      });
      parentPort.postMessage('done');
    });`;
  const worker = new Worker(source, { eval: true, workerData: templates });
  return new Promise((resolve, reject) => {
    let current = -1;
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve(templates[current] ?? '(before the first template)');
    }, limitMs);
    worker.on('message', (message: number | 'done') => {
      if (message !== 'done') {
        current = message;
        return;
      }
      clearTimeout(timer);
      void worker.terminate();
      resolve(undefined);
    });
    worker.on('error', err => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
