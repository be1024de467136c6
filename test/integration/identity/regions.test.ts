import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startIdentity, type Harness } from '../../support/identity-harness.js';
import { memberOf, type Member } from '../../support/member-token.js';

describe('identity regions', () => {
  let h: Harness;
  let member: Member;
  before(async () => {
    h = await startIdentity();
    member = await memberOf(h, h.adminProjectId);
  });
  after(async () => h.close());

  async function create(body: Record<string, unknown>): Promise<Record<string, any>> {
    const res = await h.request('POST', '/v3/regions', { body: { region: body } });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().region;
  }

  test('create with a generated id, show, update, list and delete', async () => {
    const parent = await create({ description: 'parent' });
    assert.match(parent.id, /^[0-9a-f]{32}$/);
    assert.equal(parent.parent_region_id, null);
    assert.match(parent.links.self, new RegExp(`/v3/regions/${parent.id}$`));
    const other = await create({ description: 'other' });
    const child = await create({ description: 'child', parent_region_id: parent.id, colour: 'red' });
    assert.equal(child.parent_region_id, parent.id);
    assert.equal(child.colour, 'red');

    const list = (await h.request('GET', '/v3/regions')).json().regions;
    assert.deepEqual(list.find((r: { id: string }) => r.id === child.id), child, 'list entries equal the created region');
    const byParent = (await h.request('GET', `/v3/regions?parent_region_id=${parent.id}`)).json().regions;
    assert.deepEqual(byParent.map((r: { id: string }) => r.id), [child.id]);

    const upd = await h.request('PATCH', `/v3/regions/${child.id}`, { body: { region: { description: 'moved', parent_region_id: other.id } } });
    assert.equal(upd.statusCode, 200, upd.body);
    assert.equal(upd.json().region.description, 'moved');
    assert.equal(upd.json().region.parent_region_id, other.id);
    assert.deepEqual((await h.request('GET', `/v3/regions/${child.id}`)).json().region, upd.json().region);

    assert.equal((await h.request('DELETE', `/v3/regions/${child.id}`)).statusCode, 204);
    assert.equal((await h.request('GET', `/v3/regions/${child.id}`)).statusCode, 404);
  });

  test('PUT creates a region with the id in the URL; ids are unique', async () => {
    const res = await h.request('PUT', '/v3/regions/RegionTwo', { body: { region: { description: 'two' } } });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().region.id, 'RegionTwo');
    const again = await h.request('PUT', '/v3/regions/RegionTwo', { body: { region: {} } });
    assert.equal(again.statusCode, 409);
    assert.match(again.json().error.message, /Duplicate ID, RegionTwo/);
    const post = await h.request('POST', '/v3/regions', { body: { region: { id: 'RegionTwo' } } });
    assert.equal(post.statusCode, 409);
    const clash = await h.request('PUT', '/v3/regions/RegionThree', { body: { region: { id: 'RegionFour' } } });
    assert.equal(clash.statusCode, 400);
  });

  test('a missing parent is 404 and a cycle is 400', async () => {
    assert.equal((await h.request('POST', '/v3/regions', { body: { region: { parent_region_id: 'nowhere' } } })).statusCode, 404);
    const a = await create({});
    const b = await create({ parent_region_id: a.id });
    const cyc = await h.request('PATCH', `/v3/regions/${a.id}`, { body: { region: { parent_region_id: b.id } } });
    assert.equal(cyc.statusCode, 400);
    assert.match(cyc.json().error.message, /circular region hierarchy/);
    const self = await h.request('PATCH', `/v3/regions/${a.id}`, { body: { region: { parent_region_id: a.id } } });
    assert.equal(self.statusCode, 400);
    assert.equal((await h.request('PATCH', '/v3/regions/nowhere', { body: { region: { description: 'x' } } })).statusCode, 404);
    assert.equal((await h.request('PATCH', `/v3/regions/${a.id}`, { body: { region: {} } })).statusCode, 400);
    assert.equal((await h.request('PATCH', `/v3/regions/${a.id}`, { body: { region: { id: 'other' } } })).statusCode, 400);
  });

  test('deleting a region removes its subtree, unless an endpoint lives in it (403)', async () => {
    const top = await create({});
    const mid = await create({ parent_region_id: top.id });
    const leaf = await create({ parent_region_id: mid.id });
    const svc = await h.request('POST', '/v3/services', { body: { service: { type: 'tree-test' } } });
    const ep = await h.request('POST', '/v3/endpoints', {
      body: { endpoint: { service_id: svc.json().service.id, interface: 'public', url: 'http://x:1/', region_id: leaf.id } },
    });
    assert.equal(ep.statusCode, 201, ep.body);
    const refused = await h.request('DELETE', `/v3/regions/${top.id}`);
    assert.equal(refused.statusCode, 403);
    assert.match(refused.json().error.message, /associated endpoints/);
    assert.equal((await h.request('DELETE', `/v3/endpoints/${ep.json().endpoint.id}`)).statusCode, 204);
    assert.equal((await h.request('DELETE', `/v3/regions/${top.id}`)).statusCode, 204);
    for (const id of [top.id, mid.id, leaf.id]) assert.equal((await h.request('GET', `/v3/regions/${id}`)).statusCode, 404);
    assert.equal((await h.request('DELETE', `/v3/regions/${top.id}`)).statusCode, 404);
  });

  test('mistyped fields are 400', async () => {
    for (const region of [{ description: 5 }, { parent_region_id: 7 }, { id: 3 }]) {
      const res = await h.request('POST', '/v3/regions', { body: { region } });
      assert.equal(res.statusCode, 400, JSON.stringify(region));
      assert.equal(res.json().error.code, 400);
    }
    assert.equal((await h.request('POST', '/v3/regions', { body: { regions: {} } })).statusCode, 400);
    assert.equal((await h.request('PUT', `/v3/regions/${'r'.repeat(256)}`, { body: { region: {} } })).statusCode, 400);
    assert.equal((await h.request('PUT', '/v3/regions/bad%00id', { body: { region: {} } })).statusCode, 400);
  });

  test('a member may read regions but not write them', async () => {
    const r = await create({});
    assert.equal((await h.request('GET', '/v3/regions', { token: member.token })).statusCode, 200);
    assert.equal((await h.request('GET', `/v3/regions/${r.id}`, { token: member.token })).statusCode, 200);
    assert.equal((await h.request('POST', '/v3/regions', { token: member.token, body: { region: {} } })).statusCode, 403);
    assert.equal((await h.request('PUT', '/v3/regions/MemberRegion', { token: member.token, body: { region: {} } })).statusCode, 403);
    assert.equal((await h.request('PATCH', `/v3/regions/${r.id}`, { token: member.token, body: { region: { description: 'x' } } })).statusCode, 403);
    assert.equal((await h.request('DELETE', `/v3/regions/${r.id}`, { token: member.token })).statusCode, 403);
    assert.equal((await h.request('GET', '/v3/regions', { token: null })).statusCode, 401);
  });
});
