import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  atLeast, compareVersions, formatVersion, isVersionError, MAX_VERSION, negotiateVersion, parseVersionString, placementHeaderValue, requireVersion,
} from '../../../src/placement/domain/microversion.js';
import { ApiError } from '../../../src/core/errors.js';

describe('placement microversions', () => {
  it('parses major.minor and compares numerically', () => {
    assert.deepEqual(parseVersionString('1.10'), { major: 1, minor: 10 });
    assert.ok(compareVersions(parseVersionString('1.10'), parseVersionString('1.9')) > 0);
    for (const bad of ['1', '1.', '.1', '1.2.3', 'pony.horse', '', 'a1.2', '-1.2']) assert.throws(() => parseVersionString(bad), TypeError, bad);
  });

  it('finds the placement entry of OpenStack-API-Version headers', () => {
    assert.equal(placementHeaderValue([]), undefined);
    assert.equal(placementHeaderValue(['placement 1.2']), '1.2');
    assert.equal(placementHeaderValue(['compute 2.1, Placement 1.7']), '1.7');
    assert.equal(placementHeaderValue(['compute 2.1']), undefined);
    assert.equal(placementHeaderValue(['placement 1.1', 'placement 1.3']), '1.3');
    assert.equal(placementHeaderValue(['placement']), '');
  });

  it('negotiates: 1.0 by default, latest = 1.39, 400 malformed, 406 out of range', () => {
    assert.deepEqual(negotiateVersion(undefined), { major: 1, minor: 0 });
    assert.equal(formatVersion(negotiateVersion('latest') as never), '1.39');
    assert.equal(formatVersion(negotiateVersion('LATEST') as never), '1.39');
    assert.equal(formatVersion(negotiateVersion('1.39') as never), formatVersion(MAX_VERSION));
    const malformed = negotiateVersion('pony.horse');
    assert.ok(isVersionError(malformed));
    assert.deepEqual(malformed, { status: 400, message: 'invalid version string: pony.horse' });
    assert.deepEqual(negotiateVersion(''), { status: 400, message: 'invalid version string: ' });
    assert.deepEqual(negotiateVersion('0.5'), { status: 406, message: 'Unacceptable version header: 0.5' });
    assert.deepEqual(negotiateVersion('1.40'), { status: 406, message: 'Unacceptable version header: 1.40' });
    assert.deepEqual(negotiateVersion('2.0'), { status: 406, message: 'Unacceptable version header: 2.0' });
  });

  it('gates features at the microversion that introduced them', () => {
    const v = parseVersionString('1.14');
    assert.ok(atLeast(v, '1.14'));
    assert.ok(atLeast(v, '1.2'));
    assert.ok(!atLeast(v, '1.15'));
    assert.doesNotThrow(() => requireVersion(v, '1.10'));
    assert.throws(() => requireVersion(v, '1.15'), (e: unknown) => e instanceof ApiError && e.status === 404);
    assert.throws(() => requireVersion(parseVersionString('1.4'), '1.5', 405), (e: unknown) => e instanceof ApiError && e.status === 405);
    assert.throws(() => requireVersion(parseVersionString('1.7'), '1.2', 404, '1.6'), (e: unknown) => e instanceof ApiError && e.status === 404);
    assert.doesNotThrow(() => requireVersion(parseVersionString('1.6'), '1.2', 404, '1.6'));
  });
});
