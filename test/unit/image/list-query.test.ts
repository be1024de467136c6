import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseListQuery, splitQuoted } from '../../../src/image/api/image-list-query.js';
import { parseSortParams } from '../../../src/image/api/image-sort.js';
import { statusOf } from '../../support/api-status.js';


test('defaults: 25 per page, accepted members, newest first, hidden images excluded', () => {
  const q = parseListQuery({});
  assert.equal(q.limit, 25);
  assert.equal(q.memberStatus, 'accepted');
  assert.deepEqual(q.sort, [{ key: 'created_at', dir: 'desc' }, { key: 'id', dir: 'desc' }]);
  assert.deepEqual(q.conditions, [{ kind: 'compare', column: 'os_hidden', op: '=', value: 0 }]);
  assert.equal(parseListQuery({ limit: '5000' }).limit, 1000, 'api_limit_max');
});

test('both sort syntaxes, completed with created_at and id in the single direction given', () => {
  assert.deepEqual(parseSortParams({ sort: 'size:asc,name' }), [
    { key: 'size', dir: 'asc' }, { key: 'name', dir: 'desc' }, { key: 'created_at', dir: 'desc' }, { key: 'id', dir: 'desc' },
  ]);
  assert.deepEqual(parseSortParams({ sort_key: ['name', 'size'], sort_dir: 'asc' }), [
    { key: 'name', dir: 'asc' }, { key: 'size', dir: 'asc' }, { key: 'created_at', dir: 'asc' }, { key: 'id', dir: 'asc' },
  ]);
  assert.deepEqual(parseSortParams({ sort_key: 'id', sort_dir: 'asc' }), [{ key: 'id', dir: 'asc' }, { key: 'created_at', dir: 'asc' }]);
  for (const q of [{ sort: 'owner' }, { sort: 'name:up' }, { sort: 'name', sort_key: 'name' }, { sort_key: ['a', 'b'] },
    { sort_key: ['name', 'size'], sort_dir: ['asc', 'desc', 'asc'] }]) {
    assert.equal(statusOf(() => parseSortParams(q as unknown as Record<string, string | string[]>)), 400, JSON.stringify(q));
  }
});

test('filters: ranges, operators, timestamps, integer columns, properties and tags', () => {
  const q = parseListQuery({
    size_min: '10', size_max: '20', name: 'in:"a,b",c', status: 'eq:active', created_at: 'gte:2020-01-01T00:00:00Z',
    min_ram: 'x', owner: 'p', hw: 'scsi', tag: ['t1', ' t2 '], visibility: 'shared', member_status: 'all', protected: 'true',
  });
  assert.deepEqual(q.tags, ['t1', 't2']);
  assert.deepEqual(q.properties, [['hw', 'scsi']]);
  assert.equal(q.visibility, 'shared');
  assert.equal(q.memberStatus, 'all');
  const byColumn = Object.fromEntries(q.conditions.filter((c) => c.kind !== 'never').map((c) => [`${(c as { column: string }).column}:${'op' in c ? c.op : 'in'}`, c]));
  assert.deepEqual(byColumn['size:>='], { kind: 'compare', column: 'size', op: '>=', value: 10 });
  assert.deepEqual(byColumn['size:<='], { kind: 'compare', column: 'size', op: '<=', value: 20 });
  assert.deepEqual(byColumn['name:in'], { kind: 'in', column: 'name', values: ['a,b', 'c'] });
  assert.deepEqual(byColumn['status:='], { kind: 'compare', column: 'status', op: '=', value: 'active' });
  assert.deepEqual(byColumn['created_at:>='], { kind: 'compare', column: 'created_at', op: '>=', value: '2020-01-01T00:00:00.000Z' });
  assert.deepEqual(byColumn['protected:='], { kind: 'compare', column: 'protected', op: '=', value: 1 });
  assert.ok(q.conditions.some((c) => c.kind === 'never'), 'a non-integer min_ram matches nothing');
  assert.deepEqual(parseListQuery({ created_at: '2020-01-01T00:00:00Z' }).conditions[1], { kind: 'compare', column: 'created_at', op: '=', value: '2020-01-01T00:00:00.000Z' });
});

test('Glance\'s 400s for bad parameters', () => {
  for (const q of [{ limit: 'x' }, { limit: '-2' }, { member_status: 'x' }, { visibility: 'x' }, { os_hidden: 'no' }, { protected: 'TRUE' },
    { size_min: 'x' }, { name: 'like:x' }, { created_at: 'gt:x' }, { updated_at: 'in:2020-01-01' }, { 'changes-since': '2020' }, { nope_max: '1' }]) {
    assert.equal(statusOf(() => parseListQuery(q)), 400, JSON.stringify(q));
  }
  assert.equal(statusOf(() => parseListQuery({ os_hidden: 'TRUE' })), 200, 'os_hidden is case-insensitive, as Glance lowercases it');
});

test('in: lists honour double quotes', () => {
  assert.deepEqual(splitQuoted('a,"b,c", d'), ['a', 'b,c', 'd']);
  assert.deepEqual(splitQuoted('"say \\"hi\\""'), ['say "hi"']);
});
