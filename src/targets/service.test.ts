import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { portableServiceSpec } from './service.ts';

describe('portableServiceSpec', () => {
  it('drops what the API server allocates to each Service', () => {
    assert.deepEqual(
      portableServiceSpec({
        type: 'NodePort',
        clusterIP: '10.0.0.1',
        clusterIPs: ['10.0.0.1'],
        selector: { app: 'podinfo' },
        ports: [{ name: 'http', port: 80, targetPort: 9898, nodePort: 30080 }],
      }),
      {
        type: 'NodePort',
        selector: { app: 'podinfo' },
        ports: [{ name: 'http', port: 80, targetPort: 9898 }],
      },
    );
  });

  it('keeps a headless Service headless', () => {
    assert.equal(portableServiceSpec({ clusterIP: 'None' }).clusterIP, 'None');
  });
});
