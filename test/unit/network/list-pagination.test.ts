import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { listBody, type Item, type Query } from '../../../src/network/api/list.js';

const items: Item[] = ['e', 'b', 'd', 'a', 'c'].map((name) => ({ id: `id-${name}`, name }));
const BASE = 'http://h/v2.0/networks';

function page(query: Query): { names: string[]; links: Record<string, Query> } {
  const body = listBody('networks', items, query, { baseUrl: BASE });
  const names = (body.networks as Item[]).map((i) => String(i.name));
  const links: Record<string, Query> = {};
  for (const l of (body.networks_links as { href: string; rel: string }[] | undefined) ?? []) {
    links[l.rel] = Object.fromEntries(new URL(l.href).searchParams.entries());
  }
  return { names, links };
}

describe('Neutron pagination links', () => {
  it('walks forward by next links to an empty last page without next, and back by previous links', () => {
    const seen: string[] = [];
    let p = page({ sort_key: 'name', sort_dir: 'asc', limit: '1' });
    for (let i = 0; i < 5; i++) {
      assert.equal(p.names.length, 1);
      seen.push(p.names[0]!);
      p = page(p.links.next!);
    }
    assert.deepEqual(seen, ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(p.names, []);
    assert.equal(p.links.next, undefined);
    const back: string[] = [];
    for (let i = 0; i < 5; i++) {
      p = page(p.links.previous!);
      assert.equal(p.names.length, 1);
      back.push(p.names[0]!);
    }
    assert.deepEqual(back, ['e', 'd', 'c', 'b', 'a']);
  });

  it('returns reverse pages in ascending order, ending with a short page without previous', () => {
    let p = page({ sort_key: 'name', sort_dir: 'asc', limit: '2', page_reverse: 'True' });
    assert.deepEqual(p.names, ['d', 'e']);
    p = page(p.links.previous!);
    assert.deepEqual(p.names, ['b', 'c']);
    p = page(p.links.previous!);
    assert.deepEqual(p.names, ['a']);
    assert.equal(p.links.previous, undefined);
  });

  it('gives no links without a limit', () => {
    assert.deepEqual(page({ sort_key: 'name' }).links, {});
  });
});
