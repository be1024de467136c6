import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startIdentity, type Harness } from '../../support/identity-harness.js';
import { makeProject } from '../../support/assignment-fixtures.js';
import { memberOf, type Member } from '../../support/member-token.js';

describe('identity OS-EP-FILTER project associations', () => {
  let h: Harness;
  let member: Member;
  let projectId: string;
  let serviceId: string;
  let endpointId: string;
  let otherEndpointId: string;
  const base = '/v3/OS-EP-FILTER';
  before(async () => {
    h = await startIdentity();
    member = await memberOf(h, h.adminProjectId);
    projectId = await makeProject(h, 'default');
    serviceId = (await h.request('POST', '/v3/services', { body: { service: { type: 'filtered' } } })).json().service.id;
    const ep = (iface: string) => h.request('POST', '/v3/endpoints', { body: { endpoint: { service_id: serviceId, interface: iface, url: `http://f/${iface}` } } });
    endpointId = (await ep('public')).json().endpoint.id;
    otherEndpointId = (await ep('internal')).json().endpoint.id;
  });
  after(async () => h.close());

  test('an endpoint is added to, checked in, listed for and removed from a project', async () => {
    const path = `${base}/projects/${projectId}/endpoints/${endpointId}`;
    assert.equal((await h.request('GET', path)).statusCode, 404);
    assert.equal((await h.request('PUT', path)).statusCode, 204);
    assert.equal((await h.request('PUT', path)).statusCode, 409);
    assert.equal((await h.request('GET', path)).statusCode, 204);
    assert.equal((await h.request('HEAD', path)).statusCode, 204);
    const listed = (await h.request('GET', `${base}/projects/${projectId}/endpoints`)).json().endpoints;
    assert.deepEqual(listed.map((e: { id: string }) => e.id), [endpointId]);
    const projects = (await h.request('GET', `${base}/endpoints/${endpointId}/projects`)).json().projects;
    assert.deepEqual(projects.map((p: { id: string }) => p.id), [projectId]);
    assert.equal((await h.request('DELETE', path)).statusCode, 204);
    assert.equal((await h.request('DELETE', path)).statusCode, 404);
    assert.equal((await h.request('PUT', `${base}/projects/${projectId}/endpoints/nope`)).statusCode, 404);
    assert.equal((await h.request('PUT', `${base}/projects/nope/endpoints/${endpointId}`)).statusCode, 404);
  });

  test('an endpoint group gives a project every endpoint its filter matches', async () => {
    const group = (await h.request('POST', `${base}/endpoint_groups`, { body: { endpoint_group: { name: 'internal-only', filters: { interface: 'internal', service_id: serviceId } } } })).json().endpoint_group;
    const inGroup = (await h.request('GET', `${base}/endpoint_groups/${group.id}/endpoints`)).json().endpoints;
    assert.deepEqual(inGroup.map((e: { id: string }) => e.id), [otherEndpointId]);
    const assoc = `${base}/endpoint_groups/${group.id}/projects/${projectId}`;
    assert.equal((await h.request('GET', assoc)).statusCode, 404);
    assert.equal((await h.request('PUT', assoc)).statusCode, 204);
    const shown = await h.request('GET', assoc);
    assert.equal(shown.statusCode, 200);
    assert.deepEqual([shown.json().project_endpoint_group.endpoint_group_id, shown.json().project_endpoint_group.project_id], [group.id, projectId]);
    assert.deepEqual((await h.request('GET', `${base}/endpoint_groups/${group.id}/projects`)).json().projects.map((p: { id: string }) => p.id), [projectId]);
    assert.deepEqual((await h.request('GET', `${base}/projects/${projectId}/endpoint_groups`)).json().endpoint_groups.map((g: { id: string }) => g.id), [group.id]);
    assert.deepEqual((await h.request('GET', `${base}/projects/${projectId}/endpoints`)).json().endpoints.map((e: { id: string }) => e.id), [otherEndpointId]);
    assert.equal((await h.request('DELETE', assoc)).statusCode, 204);
    assert.equal((await h.request('DELETE', assoc)).statusCode, 404);
    assert.deepEqual((await h.request('GET', `${base}/projects/${projectId}/endpoints`)).json().endpoints, []);
  });

  test('a member may not manage associations', async () => {
    const path = `${base}/projects/${h.adminProjectId}/endpoints/${endpointId}`;
    assert.equal((await h.request('PUT', path, { token: member.token })).statusCode, 403);
    assert.equal((await h.request('GET', `${base}/projects/${h.adminProjectId}/endpoints`, { token: member.token })).statusCode, 403);
    assert.equal((await h.request('DELETE', path, { token: member.token })).statusCode, 403);
  });
});
