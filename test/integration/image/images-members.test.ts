import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startImage, type ImageHarness } from '../../support/image-harness.js';
import { blob } from '../../support/image-data.js';

describe('image members: sharing between projects', () => {
  let h: ImageHarness;
  before(async () => { h = await startImage(); });
  after(async () => h.close());

  const members = (id: string, token: string) => h.request('GET', `/v2/images/${id}/members`, { token });
  const add = (id: string, member: unknown, token = h.alice.token) => h.request('POST', `/v2/images/${id}/members`, { token, body: { member } });
  const setStatus = (id: string, member: string, status: unknown, token = h.bob.token) =>
    h.request('PUT', `/v2/images/${id}/members/${member}`, { token, body: { status } });
  const bobSees = async (id: string) => ((await h.request('GET', '/v2/images', { token: h.bob.token })).json().images as { id: string }[]).some((i) => i.id === id);

  test('share, accept, list and show; the member sees the image and can download it', async () => {
    const data = blob(2048);
    const image = await h.createImage({ name: 'shared', disk_format: 'raw', container_format: 'bare' }, h.alice.token);
    assert.equal((await h.upload(image.id, data, h.alice.token)).statusCode, 204);
    const created = await add(image.id, h.bob.projectId);
    assert.equal(created.statusCode, 200, created.body);
    assert.deepEqual(Object.keys(created.json()).sort(), ['created_at', 'image_id', 'member_id', 'schema', 'status', 'updated_at']);
    assert.equal(created.json().status, 'pending');
    assert.equal(created.json().schema, '/v2/schemas/member');
    assert.equal(await bobSees(image.id), false, 'pending shares are not listed by default');
    assert.equal((await h.request('GET', `/v2/images/${image.id}`, { token: h.bob.token })).statusCode, 200, 'but can be shown by id');
    const pendingList = (await h.request('GET', '/v2/images?visibility=shared&member_status=pending', { token: h.bob.token })).json().images;
    assert.deepEqual(pendingList.map((i: { id: string }) => i.id), [image.id]);

    const accepted = await setStatus(image.id, h.bob.projectId, 'accepted');
    assert.equal(accepted.statusCode, 200, accepted.body);
    assert.equal(accepted.json().status, 'accepted');
    assert.equal(await bobSees(image.id), true);
    assert.ok((await h.request('GET', `/v2/images/${image.id}/file`, { token: h.bob.token })).rawPayload.equals(data));

    const list = await members(image.id, h.alice.token);
    assert.equal(list.json().schema, '/v2/schemas/members');
    assert.deepEqual(list.json().members.map((m: { member_id: string; status: string }) => [m.member_id, m.status]), [[h.bob.projectId, 'accepted']]);
    const shown = await h.request('GET', `/v2/images/${image.id}/members/${h.bob.projectId}`, { token: h.bob.token });
    assert.equal(shown.statusCode, 200);
    assert.equal(shown.json().image_id, image.id);

    assert.equal((await setStatus(image.id, h.bob.projectId, 'rejected')).json().status, 'rejected');
    assert.equal(await bobSees(image.id), false);
  });

  test('only the member decides its status; only the owner adds and removes members', async () => {
    const image = await h.createImage({ name: 'rules' }, h.alice.token);
    const carol = await h.tenant();
    assert.equal((await add(image.id, h.bob.projectId)).statusCode, 200);
    assert.equal((await add(image.id, h.bob.projectId)).statusCode, 409, 'duplicate member');
    assert.equal((await setStatus(image.id, h.bob.projectId, 'accepted', h.alice.token)).statusCode, 403, 'the owner cannot accept');
    assert.equal((await setStatus(image.id, h.bob.projectId, 'maybe')).statusCode, 400);
    assert.equal((await setStatus(image.id, h.bob.projectId, 5)).statusCode, 400);
    assert.equal((await h.request('PUT', `/v2/images/${image.id}/members/${h.bob.projectId}`, { token: h.bob.token, body: {} })).statusCode, 400);
    assert.equal((await add(image.id, carol.projectId, h.bob.token)).statusCode, 403, 'a member cannot share further');
    assert.equal((await h.request('DELETE', `/v2/images/${image.id}/members/${h.bob.projectId}`, { token: h.bob.token })).statusCode, 403);
    assert.equal((await h.request('GET', `/v2/images/${image.id}/members`, { token: carol.token })).statusCode, 404, 'strangers do not see the image');
    assert.equal((await add(image.id, carol.projectId)).statusCode, 200);
    const seenByBob = (await members(image.id, h.bob.token)).json().members.map((m: { member_id: string }) => m.member_id);
    assert.deepEqual(seenByBob, [h.bob.projectId], 'a member sees only its own membership');
    assert.equal((await h.request('GET', `/v2/images/${image.id}/members/${carol.projectId}`, { token: h.bob.token })).statusCode, 404);
    assert.equal((await h.request('DELETE', `/v2/images/${image.id}/members/${h.bob.projectId}`, { token: h.alice.token })).statusCode, 204);
    assert.equal((await h.request('GET', `/v2/images/${image.id}`, { token: h.bob.token })).statusCode, 404, 'removed members lose sight');
    assert.equal((await h.request('DELETE', `/v2/images/${image.id}/members/${h.bob.projectId}`, { token: h.alice.token })).statusCode, 404);
  });

  test('only shared images have members; bad bodies are 400', async () => {
    const priv = await h.createImage({ name: 'private', visibility: 'private' }, h.alice.token);
    const refused = await add(priv.id, h.bob.projectId);
    assert.equal(refused.statusCode, 403);
    assert.match(refused.json().message, /Only shared images have members/);
    assert.equal((await members(priv.id, h.alice.token)).statusCode, 403);
    const shared = await h.createImage({ name: 'shared2' }, h.alice.token);
    assert.equal((await h.request('POST', `/v2/images/${shared.id}/members`, { token: h.alice.token, body: {} })).statusCode, 400);
    assert.equal((await add(shared.id, '')).statusCode, 400);
    assert.equal((await add(shared.id, 42)).statusCode, 400);
    assert.equal((await add(shared.id, 'x'.repeat(300))).statusCode, 400);
    assert.equal((await h.request('GET', `/v2/images/${shared.id}/members`, { token: h.alice.token })).json().members.length, 0);
  });
});
