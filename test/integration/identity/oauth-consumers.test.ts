import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startIdentity, type Harness } from '../../support/identity-harness.js';
import { memberOf, type Member } from '../../support/member-token.js';

describe('identity OS-OAUTH1 consumers', () => {
  let h: Harness;
  let member: Member;
  const base = '/v3/OS-OAUTH1/consumers';
  before(async () => {
    h = await startIdentity();
    member = await memberOf(h, h.adminProjectId);
  });
  after(async () => h.close());

  test('the secret is shown on create only; show, update, list and delete', async () => {
    const res = await h.request('POST', base, { body: { consumer: { description: 'ci bot' } } });
    assert.equal(res.statusCode, 201, res.body);
    const c = res.json().consumer;
    assert.equal(c.description, 'ci bot');
    assert.match(c.secret, /^[0-9a-f]{32}$/);
    assert.match(c.links.self, new RegExp(`${base}/${c.id}$`));

    const shown = (await h.request('GET', `${base}/${c.id}`)).json().consumer;
    assert.deepEqual(shown, { id: c.id, description: 'ci bot', links: c.links });
    const upd = await h.request('PATCH', `${base}/${c.id}`, { body: { consumer: { description: 'renamed' } } });
    assert.equal(upd.statusCode, 200, upd.body);
    assert.equal((await h.request('GET', `${base}/${c.id}`)).json().consumer.description, 'renamed');
    assert.equal((await h.request('PATCH', `${base}/${c.id}`, { body: { consumer: { secret: 'mine' } } })).statusCode, 400);

    const nullDesc = await h.request('POST', base, { body: { consumer: { description: null } } });
    assert.equal(nullDesc.statusCode, 201);
    const empty = await h.request('POST', base, { body: { consumer: {} } });
    assert.equal(empty.statusCode, 201);
    assert.equal((await h.request('POST', base, { body: {} })).statusCode, 400, 'the consumer key is required');
    const ids = (await h.request('GET', base)).json().consumers.map((x: { id: string }) => x.id);
    assert.ok([c.id, nullDesc.json().consumer.id, empty.json().consumer.id].every((id) => ids.includes(id)));
    assert.equal(ids.length, 3);

    assert.equal((await h.request('DELETE', `${base}/${c.id}`)).statusCode, 204);
    assert.equal((await h.request('GET', `${base}/${c.id}`)).statusCode, 404);
    assert.equal((await h.request('DELETE', `${base}/${c.id}`)).statusCode, 404);
  });

  test('a mistyped description is 400 and members may not touch consumers', async () => {
    assert.equal((await h.request('POST', base, { body: { consumer: { description: 5 } } })).statusCode, 400);
    const c = (await h.request('POST', base, { body: { consumer: {} } })).json().consumer;
    assert.equal((await h.request('GET', base, { token: member.token })).statusCode, 403);
    assert.equal((await h.request('GET', `${base}/${c.id}`, { token: member.token })).statusCode, 403);
    assert.equal((await h.request('POST', base, { token: member.token, body: { consumer: {} } })).statusCode, 403);
    assert.equal((await h.request('PATCH', `${base}/${c.id}`, { token: member.token, body: { consumer: { description: 'x' } } })).statusCode, 403);
    assert.equal((await h.request('DELETE', `${base}/${c.id}`, { token: member.token })).statusCode, 403);
  });
});
