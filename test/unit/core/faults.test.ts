import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, badRequest, conflict, forbidden, notFound, unauthorized } from '../../../src/core/errors.js';
import { keystoneFault, neutronFault, novaFault } from '../../../src/core/faults.js';

const catalogue = [badRequest('b'), unauthorized(), forbidden(), notFound('n'), conflict('c'), new ApiError(413, 'big'), new ApiError(500, 'oops')];

test('every error in the catalogue has a 4xx/5xx status and a message', () => {
  for (const err of catalogue) {
    assert.ok(err.status >= 400 && err.status < 600);
    assert.ok(err.message.length > 0);
    assert.ok(err.kind.length > 0);
  }
});

test('Keystone, Nova and Neutron fault bodies carry status and message in their own shapes', () => {
  const err = notFound('Could not find user: x.');
  assert.deepEqual(keystoneFault(err), { error: { code: 404, title: 'Not Found', message: 'Could not find user: x.' } });
  assert.deepEqual(novaFault(err), { itemNotFound: { code: 404, message: 'Could not find user: x.' } });
  assert.deepEqual(neutronFault(notFound('Network x could not be found.', 'NetworkNotFound')),
    { NeutronError: { type: 'NetworkNotFound', message: 'Network x could not be found.', detail: '' } });
  assert.deepEqual(Object.keys(novaFault(conflict('c')) as object), ['conflictingRequest']);
});

test('401 carries the WWW-Authenticate header Keystone sends', () => {
  assert.equal(unauthorized().headers['www-authenticate'], 'Keystone uri="/v3"');
});
