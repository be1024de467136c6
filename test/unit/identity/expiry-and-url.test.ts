import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isotimeSubsecond, parseExpiry, parseTimestamp, pythonIsoformat } from '../../../src/identity/domain/expiry.js';
import { assertFormattableUrl } from '../../../src/identity/api/catalog-checks.js';
import { ApiError } from '../../../src/core/errors.js';

describe('expires_at parsing and rendering', () => {
  test('naive timestamps are UTC and keep six fractional digits', () => {
    assert.equal(parseTimestamp('2030-05-06T07:08:09.123456'), '2030-05-06T07:08:09.123456Z');
    assert.equal(parseTimestamp('2030-05-06T07:08:09.5Z'), '2030-05-06T07:08:09.500000Z');
    assert.equal(parseTimestamp('2030-05-06T07:08:09'), '2030-05-06T07:08:09.000000Z');
    assert.equal(parseTimestamp('2030-05-06'), '2030-05-06T00:00:00.000000Z');
    assert.equal(parseTimestamp('2030-05-06T07:08:09+02:00'), '2030-05-06T05:08:09.000000Z');
    assert.equal(parseTimestamp('2030-05-06T07:08:09.1234567'), '2030-05-06T07:08:09.123456Z');
  });

  test('malformed or impossible timestamps are refused', () => {
    for (const bad of ['bad.123Z', '', '2030-13-01', '2030-02-30T00:00:00', '2030-01-01T25:00:00', 'tomorrow', '2030-01-01T00:00:00ZZ']) {
      assert.equal(parseTimestamp(bad), undefined, bad);
    }
  });

  test('parseExpiry refuses the past with a 400', () => {
    assert.throws(() => parseExpiry('2000-01-01T00:00:00'), (e: unknown) => e instanceof ApiError && e.status === 400 && /must not be before now/.test(e.message));
    assert.throws(() => parseExpiry('nope'), (e: unknown) => e instanceof ApiError && e.status === 400 && /Timestamp not in expected format/.test(e.message));
    assert.equal(parseExpiry('2999-01-01T00:00:00'), '2999-01-01T00:00:00.000000Z');
  });

  test('renders as Python isoformat and Keystone isotime', () => {
    assert.equal(pythonIsoformat('2030-05-06T07:08:09.123456Z'), '2030-05-06T07:08:09.123456');
    assert.equal(pythonIsoformat('2030-05-06T07:08:09.000000Z'), '2030-05-06T07:08:09');
    assert.equal(isotimeSubsecond('2030-05-06T07:08:09.000000Z'), '2030-05-06T07:08:09.000000Z');
  });
});

describe('endpoint URL substitution check', () => {
  test('whitelisted substitutions and %% pass', () => {
    for (const url of ['http://x/v1', 'http://x/v2.1/$(project_id)s', 'http://x/$(tenant_id)s/$(user_id)s', 'http://x/100%%', 'http://$(public_bind_host)s:$(public_port)d/']) {
      assert.doesNotThrow(() => assertFormattableUrl(url), url);
    }
  });

  test('unknown names and stray percent signs are 400', () => {
    for (const url of ['http://x/$(secret)s', 'http://x/100%', 'http://x/%20', 'http://x/$(project_id)', 'http://x/%(project_id']) {
      assert.throws(() => assertFormattableUrl(url), (e: unknown) => e instanceof ApiError && e.status === 400, url);
    }
  });
});
