import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startImage, type ImageHarness, type Tenant } from '../../support/image-harness.js';
import { blob } from '../../support/image-data.js';

describe('image lists: visibility, filters, sorting, pagination', () => {
  let h: ImageHarness;
  let carol: Tenant;
  const ids: Record<string, string> = {};
  before(async () => {
    h = await startImage();
    carol = await h.tenant();
    const make = async (key: string, body: Record<string, unknown>, token?: string, size?: number) => {
      const image = await h.createImage({ name: key, disk_format: 'raw', container_format: 'bare', ...body }, token);
      if (size !== undefined) assert.equal((await h.upload(image.id, blob(size), token)).statusCode, 204);
      ids[key] = image.id;
    };
    await make('a-private', { visibility: 'private', tags: ['red', 'big'], arch: 'x86_64' }, h.alice.token, 3000);
    await make('a-shared', { tags: ['red'] }, h.alice.token, 1000);
    await make('a-community', { visibility: 'community' }, h.alice.token, 2000);
    await make('a-hidden', { os_hidden: true }, h.alice.token);
    await make('pub', { visibility: 'public', container_format: 'ovf', owner: h.adminProjectId }, undefined, 5000);
    await make('b-private', { visibility: 'private' }, h.bob.token);
    await make('b-shared-pending', {}, h.bob.token);
    await make('b-shared-accepted', { arch: 'x86_64' }, h.bob.token);
    await make('b-shared-rejected', {}, h.bob.token);
    for (const [key, status] of [['b-shared-pending', 'pending'], ['b-shared-accepted', 'accepted'], ['b-shared-rejected', 'rejected']] as const) {
      assert.equal((await h.request('POST', `/v2/images/${ids[key]}/members`, { token: h.bob.token, body: { member: h.alice.projectId } })).statusCode, 200);
      if (status !== 'pending') {
        const res = await h.request('PUT', `/v2/images/${ids[key]}/members/${h.alice.projectId}`, { token: h.alice.token, body: { status } });
        assert.equal(res.statusCode, 200, res.body);
      }
    }
  });
  after(async () => h.close());

  const names = async (query: string, token?: string): Promise<string[]> => {
    const res = await h.request('GET', `/v2/images${query}`, { token: token ?? h.alice.token });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json().images as { name: string }[]).map((i) => i.name).filter((n) => n in ids).sort();
  };

  test('default list: own images, public, accepted shares; not hidden, not others\' community or private', async () => {
    assert.deepEqual(await names(''), ['a-community', 'a-private', 'a-shared', 'b-shared-accepted', 'pub']);
    assert.deepEqual(await names('', carol.token), ['pub']);
    assert.deepEqual(await names('', h.bob.token), ['b-private', 'b-shared-accepted', 'b-shared-pending', 'b-shared-rejected', 'pub']);
  });

  test('visibility and member_status filters', async () => {
    assert.deepEqual(await names('?visibility=community', carol.token), ['a-community']);
    assert.deepEqual(await names('?visibility=shared'), ['a-shared', 'b-shared-accepted']);
    assert.deepEqual(await names('?visibility=shared&member_status=pending'), ['a-shared', 'b-shared-pending']);
    assert.deepEqual(await names('?visibility=shared&member_status=all'), ['a-shared', 'b-shared-accepted', 'b-shared-pending', 'b-shared-rejected']);
    assert.deepEqual(await names('?visibility=private'), ['a-private']);
    assert.deepEqual(await names('?visibility=public'), ['pub']);
    assert.deepEqual(await names('?visibility=all', carol.token), ['a-community', 'pub']);
    assert.deepEqual(await names('?os_hidden=true'), ['a-hidden']);
  });

  test('admins list every project\'s images (community only when asked)', async () => {
    const all = await names('', h.adminToken);
    for (const key of ['a-private', 'b-private', 'b-shared-pending', 'pub']) assert.ok(all.includes(key), key);
    assert.ok(!all.includes('a-community'));
    assert.ok((await names('?visibility=community', h.adminToken)).includes('a-community'));
  });

  test('attribute, range, tag, property and operator filters', async () => {
    assert.deepEqual(await names('?tag=red'), ['a-private', 'a-shared']);
    assert.deepEqual(await names('?tag=red&tag=big'), ['a-private']);
    assert.deepEqual(await names('?arch=x86_64'), ['a-private', 'b-shared-accepted']);
    assert.deepEqual(await names('?size_min=1500&size_max=4000'), ['a-community', 'a-private']);
    assert.deepEqual(await names('?size=1000'), ['a-shared']);
    assert.deepEqual(await names('?size=abc'), []);
    assert.deepEqual(await names('?container_format=ovf'), ['pub']);
    assert.deepEqual(await names('?status=queued&owner=' + h.bob.projectId), ['b-shared-accepted']);
    assert.deepEqual(await names('?name=in:"a-shared",pub'), ['a-shared', 'pub']);
    assert.deepEqual(await names('?name=eq:pub'), ['pub']);
    assert.deepEqual(await names('?protected=false&disk_format=raw&visibility=private'), ['a-private']);
    assert.deepEqual(await names('?created_at=gte:2000-01-01T00:00:00Z&visibility=public'), ['pub']);
    assert.deepEqual(await names('?created_at=lt:2000-01-01T00:00:00Z'), []);
  });

  test('bad parameters are 400', async () => {
    for (const query of ['limit=x', 'limit=-1', 'sort_key=owner', 'sort_dir=up', 'sort=name:up', 'sort=name&sort_key=size',
      'sort_key=name&sort_key=size&sort_dir=asc&sort_dir=desc&sort_dir=asc', 'visibility=everyone', 'member_status=maybe',
      'os_hidden=maybe', 'protected=True', 'size_min=big', 'name=like:x', 'created_at=gt:yesterday', 'created_at=soon:2000-01-01',
      'changes-since=2000-01-01', 'marker=00000000-0000-0000-0000-000000000000', `marker=${ids['b-private']}`, 'foo_min=1']) {
      const res = await h.request('GET', `/v2/images?${query}`, { token: h.alice.token });
      assert.equal(res.statusCode, 400, `${query}: ${res.body}`);
    }
  });

  test('sorting: sort=size:desc and sort_key/sort_dir agree; default is newest first', async () => {
    const sizes = async (q: string) => ((await h.request('GET', `/v2/images?${q}`, { token: h.alice.token })).json().images as { size: number | null }[])
      .map((i) => i.size);
    const a = await sizes('sort=size:desc');
    const b = await sizes('sort_key=size&sort_dir=desc');
    assert.deepEqual(a, b);
    const known = a.filter((s): s is number => s !== null);
    assert.deepEqual(known, [...known].sort((x, y) => y - x));
    const asc = (await sizes('sort=size:asc,name:asc')).filter((s): s is number => s !== null);
    assert.deepEqual(asc, [...asc].sort((x, y) => x - y));
    const dates = ((await h.request('GET', '/v2/images', { token: h.alice.token })).json().images as { created_at: string }[]).map((i) => i.created_at);
    assert.deepEqual(dates, [...dates].sort().reverse());
  });

  test('pagination: limit/marker with next links walks every image exactly once, under any sort', async () => {
    for (const sort of ['', '&sort=name:asc', '&sort_key=size&sort_dir=asc', '&sort=status:desc,name:asc']) {
      const seen: string[] = [];
      let url = `/v2/images?limit=2${sort}`;
      for (let pages = 0; pages < 20; pages++) {
        const res = await h.request('GET', url, { token: h.alice.token });
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json();
        assert.equal(body.schema, '/v2/schemas/images');
        assert.ok(!String(body.first).includes('marker='), 'first carries no marker');
        seen.push(...(body.images as { id: string }[]).map((i) => i.id));
        if (body.next === undefined) break;
        assert.match(body.next, /^\/v2\/images\?.*marker=/);
        url = body.next;
      }
      const all = (await h.request('GET', `/v2/images?limit=100${sort}`, { token: h.alice.token })).json().images.map((i: { id: string }) => i.id);
      assert.deepEqual(seen, all, `sort ${sort}`);
      assert.equal(new Set(seen).size, seen.length);
    }
    const one = (await h.request('GET', '/v2/images?limit=1', { token: h.alice.token })).json();
    assert.equal(one.images.length, 1);
    assert.ok(one.next);
  });
});
