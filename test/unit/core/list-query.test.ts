import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterItems, parseSort, selectFields, sortItems } from '../../../src/core/http/list-query.js';
import { nextLink, paginate, parsePageRequest } from '../../../src/core/http/pagination.js';

const items = [
  { id: 'a', name: 'web', status: 'ACTIVE', size: 3 },
  { id: 'b', name: 'db', status: 'DOWN', size: 1 },
  { id: 'c', name: 'cache', status: 'ACTIVE', size: 2 },
];

test('sorting by several keys and directions', () => {
  const specs = parseSort({ sort_key: ['status', 'size'], sort_dir: ['asc', 'desc'] }, ['status', 'size', 'name'], { key: 'id', direction: 'asc' });
  assert.deepEqual(sortItems(items, specs).map((i) => i.id), ['a', 'c', 'b']);
  assert.deepEqual(parseSort({}, ['name'], { key: 'id', direction: 'asc' }), [{ key: 'id', direction: 'asc' }]);
  assert.throws(() => parseSort({ sort_key: 'secret' }, ['name'], { key: 'id', direction: 'asc' }), /invalid attribute/);
  assert.throws(() => parseSort({ sort_key: 'name', sort_dir: 'up' }, ['name'], { key: 'id', direction: 'asc' }), /sort_dir/);
});

test('filters, repeated values and fields', () => {
  assert.deepEqual(filterItems(items, { status: 'ACTIVE' }, ['status']).map((i) => i.id), ['a', 'c']);
  assert.deepEqual(filterItems(items, { name: ['db', 'web'] }, ['name']).map((i) => i.id), ['a', 'b']);
  assert.deepEqual(filterItems(items, { bogus: 'x' }, ['status']).length, 3, 'unknown filters are ignored');
  assert.deepEqual(selectFields(items[0]!, { fields: ['id', 'name'] }), { id: 'a', name: 'web' });
  assert.deepEqual(selectFields(items[0]!, {}), items[0]);
});

test('limit and marker pagination with a next link', () => {
  const page = parsePageRequest({ limit: '2' });
  const first = paginate(items, page, (i) => i.id);
  assert.deepEqual(first.items.map((i) => i.id), ['a', 'b']);
  assert.equal(first.hasMore, true);
  const second = paginate(items, parsePageRequest({ limit: '2', marker: 'b' }), (i) => i.id);
  assert.deepEqual(second.items.map((i) => i.id), ['c']);
  assert.equal(second.hasMore, false);
  assert.equal(nextLink('http://h/v2.0/ports', { limit: '2', marker: 'x' }, 'b'), 'http://h/v2.0/ports?limit=2&marker=b');
  assert.throws(() => parsePageRequest({ limit: '-1' }), /limit/);
  assert.throws(() => paginate(items, parsePageRequest({ marker: 'zzz' }), (i) => i.id), /Marker/);
});
