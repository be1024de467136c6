import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../../src/core/errors.js';
import { ApiVersion, negotiate, requestedVersionText, versionRange } from '../../../src/compute/api/microversion.js';

const range = versionRange('2.1', '2.95');

test('versions parse as Nova\'s regex allows and compare numerically', () => {
  assert.equal(ApiVersion.parse('2.10')?.toString(), '2.10');
  for (const bad of ['2', '2.', '.1', '02.1', '2.01', '2.1.1', 'a.b', '', ' 2.1', '-2.1']) assert.equal(ApiVersion.parse(bad), undefined, bad);
  assert.ok(ApiVersion.parse('2.9')!.lessThan(ApiVersion.parse('2.10')!));
  assert.ok(!ApiVersion.parse('2.10')!.lessThan(ApiVersion.parse('2.10')!));
  assert.ok(ApiVersion.parse('2.95')!.lessThan(ApiVersion.parse('3.0')!));
});

test('the new header wins over the legacy one, and names its service', () => {
  assert.equal(requestedVersionText({}), undefined);
  assert.equal(requestedVersionText({ 'openstack-api-version': 'compute 2.5' }), '2.5');
  assert.equal(requestedVersionText({ 'openstack-api-version': 'COMPUTE 2.5' }), '2.5');
  assert.equal(requestedVersionText({ 'openstack-api-version': 'identity 3.1,compute  2.7' }), '2.7');
  assert.equal(requestedVersionText({ 'openstack-api-version': ['volume 3.0', 'compute latest'] }), 'latest');
  assert.equal(requestedVersionText({ 'openstack-api-version': 'volume 3.0', 'x-openstack-nova-api-version': '2.3' }), '2.3');
  assert.equal(requestedVersionText({ 'openstack-api-version': 'compute 2.60', 'x-openstack-nova-api-version': '2.3' }), '2.60');
});

test('negotiation: default, latest, range and format errors with Nova\'s messages', () => {
  assert.equal(negotiate(undefined, range).toString(), '2.1');
  assert.equal(negotiate('latest', range).toString(), '2.95');
  assert.equal(negotiate('LATEST', range).toString(), '2.95');
  const mv = negotiate('2.55', range);
  assert.ok(mv.atLeast('2.55') && mv.atLeast('2.9') && !mv.atLeast('2.61'));
  assert.ok(mv.atMost('2.55') && !mv.atMost('2.54'));
  assert.ok(mv.within('2.10', '2.60') && !mv.within('2.56') && mv.lessThan('2.56'));
  assert.throws(() => negotiate('2.96', range), (e: unknown) => e instanceof ApiError && e.status === 406
    && e.message === 'Version 2.96 is not supported by the API. Minimum is 2.1 and maximum is 2.95.');
  assert.throws(() => negotiate('2.0', range), (e: unknown) => e instanceof ApiError && e.status === 406);
  assert.throws(() => negotiate('two', range), (e: unknown) => e instanceof ApiError && e.status === 400
    && e.message === 'API Version String two is of invalid format. Must be of format MajorNum.MinorNum.');
});
