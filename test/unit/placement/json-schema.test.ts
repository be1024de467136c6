import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pyRepr, validate } from '../../../src/placement/domain/json-schema.js';
import { ALLOCATION_1_38, POST_RP_1_14, PUT_INVENTORIES } from '../../../src/placement/domain/schemas.js';
import { isUuidLike, normalizeUuid } from '../../../src/placement/domain/uuid.js';

const first = (text: string | undefined): string => (text ?? '').split('\n')[0]!;

describe('placement JSON schema checks', () => {
  it('renders values as Python does', () => {
    assert.equal(pyRepr({ a: [1, true, null, 'x'] }), "{'a': [1, True, None, 'x']}");
    assert.equal(pyRepr("it's"), '"it\'s"');
    assert.equal(pyRepr('a\nb'), "'a\\nb'");
  });

  it("reports jsonschema's messages and the failing keyword", () => {
    const missing = validate({}, POST_RP_1_14);
    assert.equal(first(missing), "'name' is a required property");
    assert.match(missing!, /Failed validating 'required' in schema:/);
    assert.equal(first(validate({ name: 'x', spam: 1 }, POST_RP_1_14)), "Additional properties are not allowed ('spam' was unexpected)");
    assert.equal(first(validate({ name: 'x', a: 1, b: 2 }, POST_RP_1_14)), "Additional properties are not allowed ('a', 'b' were unexpected)");
    assert.equal(first(validate({ name: 'x', uuid: 'nope' }, POST_RP_1_14)), "'nope' is not a 'uuid'");
    assert.match(validate({ name: 'x'.repeat(201) }, POST_RP_1_14)!, /is too long\n\nFailed validating 'maxLength' in schema\['properties'\]\['name'\]/);
    assert.equal(first(validate({ name: 'x', parent_provider_uuid: 5 }, POST_RP_1_14)), '5 is not valid under any of the given schemas');
    assert.equal(validate({ name: 'x', parent_provider_uuid: null }, POST_RP_1_14), undefined);
  });

  it('prefers the shallowest error, as best_match does', () => {
    const body = { resource_provider_generation: 'x', inventories: { VCPU: { total: 0 } } };
    assert.equal(first(validate(body, PUT_INVENTORIES)), "'x' is not of type 'integer'");
    assert.equal(first(validate({ inventories: { VCPU: { total: 0 } } }, PUT_INVENTORIES)), "'resource_provider_generation' is a required property");
    assert.equal(first(validate({ resource_provider_generation: 1, inventories: { VCPU: { total: 0 } } }, PUT_INVENTORIES)), '0 is less than the minimum of 1');
  });

  it('validates 1.38 allocations, including the consumer type pattern and pattern properties', () => {
    const ok = { allocations: {}, project_id: 'p', user_id: 'u', consumer_generation: null, consumer_type: 'INSTANCE' };
    assert.equal(validate(ok, ALLOCATION_1_38), undefined);
    assert.equal(first(validate({ ...ok, consumer_type: 'instance' }, ALLOCATION_1_38)), "'instance' does not match '^[A-Z0-9_]+$'");
    assert.equal(first(validate({ ...ok, consumer_generation: '1' }, ALLOCATION_1_38)), "'1' is not of type 'integer', 'null'");
    const badKey = { ...ok, allocations: { 'not-a-uuid': { resources: { VCPU: 1 } } } };
    assert.match(first(validate(badKey, ALLOCATION_1_38)), /'not-a-uuid' does not match any of the regexes: '\^\[0-9a-fA-F-\]\{36\}\$'/);
  });

  it('accepts uuids as oslo does and normalises them', () => {
    const u = '2290d4af-9e6e-400b-9d65-1ee01376f71a';
    for (const ok of [u, u.toUpperCase(), u.replaceAll('-', ''), `{${u}}`, `urn:uuid:${u}`]) {
      assert.ok(isUuidLike(ok), ok);
      assert.equal(normalizeUuid(ok), u);
    }
    for (const bad of ['', 'x', `${u}0`, ` ${u}`, 'g290d4af-9e6e-400b-9d65-1ee01376f71a']) assert.ok(!isUuidLike(bad), bad);
    assert.equal(normalizeUuid('-'.repeat(36)), '-'.repeat(36));
  });
});
