import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../../src/core/errors.js';
import { completeFault, placementFault } from '../../../src/placement/api/fault.js';
import { parseVersionString } from '../../../src/placement/domain/microversion.js';

describe('placement fault body', () => {
  it('renders the API-WG errors list with placement codes', () => {
    assert.deepEqual(placementFault(new ApiError(409, 'busy', 'placement.concurrent_update')), {
      errors: [{ status: 409, title: 'Conflict', detail: 'busy', code: 'placement.concurrent_update' }],
    });
    assert.equal((placementFault(new ApiError(404, 'gone')) as any).errors[0].code, 'placement.undefined_code');
  });

  it('adds request_id always, code from 1.23, and the range on a 406 without a version', () => {
    const body = placementFault(new ApiError(409, 'busy', 'placement.concurrent_update'));
    assert.deepEqual(completeFault(body, 'req-1', parseVersionString('1.22')), {
      errors: [{ status: 409, title: 'Conflict', detail: 'busy', request_id: 'req-1' }],
    });
    assert.equal((completeFault(body, 'req-1', parseVersionString('1.23')) as any).errors[0].code, 'placement.concurrent_update');
    const unacceptable = completeFault(placementFault(new ApiError(406, 'Unacceptable version header: 0.5')), 'req-2', undefined) as any;
    assert.equal(unacceptable.errors[0].max_version, '1.39');
    assert.equal(unacceptable.errors[0].min_version, '1.0');
    assert.equal(completeFault('text', 'r', undefined), 'text');
  });
});
