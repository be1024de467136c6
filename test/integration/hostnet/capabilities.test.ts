import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { listNetns, probeKernel } from '../../../src/hostnet/index.js';

const skip = process.getuid?.() === 0 ? false : 'needs root';

describe('kernel capability probe', { skip }, () => {
  it('finds vxlan, caches the answer and leaves no scratch namespace behind', async () => {
    const first = probeKernel();
    assert.equal(probeKernel(), first, 'one probe per process');
    const caps = await first;
    assert.equal(caps.vxlan, true);
    for (const key of ['vlan', 'gre', 'geneve', 'bridgeNetfilter'] as const) assert.equal(typeof caps[key], 'boolean');
    assert.equal((await listNetns()).includes(`nimbus-probe-${process.pid}`), false);
  });
});
