// The bad-input test's requests, generated from tables: every target × attribute × bad value,
// structural garbage, wrong content types, forged tokens, bad If-Match, garbage ids, bad queries,
// and the tag sub-resources. `mustFail` cases must answer 4xx; the rest (reads) merely never 5xx.
import { BAD_IF_MATCH, BAD_QUERIES, BAD_VALUES, GARBAGE_IDS, structuralBodies, WRONG_CONTENT_TYPES } from './network-bad-values.js';
import type { Target } from './network-bad-targets.js';

export interface BadCase {
  readonly group: string;
  readonly method: string;
  readonly url: string;
  readonly payload?: string;
  readonly contentType?: string;
  /** undefined: no token header. */
  readonly token: string | undefined;
  readonly headers?: Record<string, string>;
  readonly mustFail: boolean;
}

export interface Tokens { readonly admin: string; readonly alice: string; readonly bob: string }

export const FORGED = 'gAAAAABforgedforgedforgedforged';
/** Resources without standard attributes: If-Match means nothing to them. */
const NO_REVISION = new Set(['quotas', 'agents', 'port_forwardings', 'rbac-policies']);

const json = (v: unknown): string => JSON.stringify(v);

export function targetCases(t: Target, tok: Tokens): BadCase[] {
  const cases: BadCase[] = [];
  const group = t.key;
  const coll = `/v2.0/${t.url}`;
  const member = `${coll}/${encodeURIComponent(t.id)}`;
  const add = (method: string, url: string, token: string | undefined, mustFail: boolean, payload?: string, contentType = 'application/json', headers?: Record<string, string>): void => {
    cases.push({ group, method, url, token, mustFail, ...(payload !== undefined ? { payload, contentType } : {}), ...(headers ? { headers } : {}) });
  };
  const poison = Object.entries(t.attrs).flatMap(([attr, kind]) => BAD_VALUES[kind].map((value) => ({ attr, value })));
  const firstPoison = poison[0]!;

  // Collections without a POST (agents, quotas) get the poisoned creates too: nothing may accept them.
  const base = t.base ?? {};
  for (const { attr, value } of poison) {
    for (const token of [tok.admin, tok.alice, tok.bob]) add('POST', coll, token, true, json({ [t.resource]: { ...base, [attr]: value } }));
    // Bulk: a valid item, then the poisoned one; all or nothing.
    add('POST', coll, tok.admin, true, json({ [t.bulkKey]: [{ ...base }, { ...base, [attr]: value }] }));
  }
  if (t.base !== undefined) {
    for (const ct of WRONG_CONTENT_TYPES) add('POST', coll, tok.admin, true, json({ [t.resource]: base }), ct);
    add('POST', coll, FORGED, true, json({ [t.resource]: base }));
    add('POST', coll, undefined, true, json({ [t.resource]: base }));
  }
  for (const body of structuralBodies(t.resource, t.bulkKey)) {
    add('POST', coll, tok.admin, true, body.payload, body.contentType);
    add('PUT', member, tok.admin, true, body.payload, body.contentType);
  }
  for (const { attr, value } of poison) {
    for (const token of [tok.admin, tok.alice, tok.bob]) add('PUT', member, token, true, json({ [t.resource]: { [attr]: value } }));
  }
  const update = json({ [t.resource]: t.validUpdate ?? {} });
  for (const ct of WRONG_CONTENT_TYPES) add('PUT', member, tok.admin, true, update, ct);
  for (const token of [FORGED, undefined, tok.bob]) {
    add('PUT', member, token, true, update);
    add('DELETE', member, token, true);
  }
  if (!NO_REVISION.has(t.key)) {
    for (const ifMatch of BAD_IF_MATCH) {
      add('PUT', member, tok.admin, true, update, 'application/json', { 'if-match': ifMatch });
      add('DELETE', member, tok.admin, true, undefined, undefined, { 'if-match': ifMatch });
    }
  }
  const poisoned = json({ [t.resource]: { [firstPoison.attr]: firstPoison.value } });
  for (const garbage of GARBAGE_IDS) {
    for (const token of [tok.admin, tok.alice, tok.bob]) {
      // Quotas of an unknown project are the defaults: a read, not an error.
      add('GET', `${coll}/${garbage}`, token, t.key !== 'quotas');
      add('PUT', `${coll}/${garbage}`, token, true, poisoned);
      add('DELETE', `${coll}/${garbage}`, token, true);
    }
  }
  for (const query of BAD_QUERIES) {
    add('GET', `${coll}?${query}`, tok.admin, false);
    add('GET', `${coll}?${query}`, tok.alice, false);
    add('GET', `${coll}?${query}`, tok.bob, false);
    add('GET', `${member}?${query}`, tok.admin, false);
  }
  for (const attr of Object.keys(t.attrs)) {
    // Neutron's security group list makes the default group of the project a filter names: a
    // legitimate write, so that filter is left out here.
    if (t.key === 'security-groups' && (attr === 'project_id' || attr === 'tenant_id')) continue;
    for (const value of ['%00', 'x'.repeat(3000), '%FF', '{}', '[]', 'None', '-1']) {
      for (const token of [tok.admin, tok.alice]) add('GET', `${coll}?${encodeURIComponent(attr)}=${value}`, token, false);
    }
  }
  return cases;
}

export function tagCases(collection: string, id: string, tok: Tokens): BadCase[] {
  const cases: BadCase[] = [];
  const base = `/v2.0/${collection}/${id}/tags`;
  const add = (method: string, url: string, token: string | undefined, payload?: string, contentType = 'application/json'): void => {
    cases.push({ group: 'tags', method, url, token, mustFail: true, ...(payload !== undefined ? { payload, contentType } : {}) });
  };
  const badBodies: unknown[] = [{}, { tags: 'x' }, { tags: [1] }, { tags: ['a', 'a'] }, { tags: ['x'.repeat(256)] }, { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) },
    { tags: null }, { tags: [{}] }, { tags: [[]] }, { tags: Array.from({ length: 20_000 }, (_, i) => `t${i}`) }, [], null, 'x', { tagz: [] }, { tags: [true] }, 42];
  for (const body of badBodies) {
    for (const token of [tok.admin, tok.alice, tok.bob]) add('PUT', base, token, json(body));
    add('POST', base, tok.admin, json(body));
  }
  add('PUT', base, tok.admin, '{"tags": ["a\\u0000"]}');
  add('PUT', base, tok.admin, 'not json');
  const valid = json({ tags: ['ok'] });
  for (const token of [FORGED, undefined, tok.alice, tok.bob]) {
    add('PUT', base, token, valid);
    add('POST', base, token, valid);
    add('PUT', `${base}/ok`, token);
    add('DELETE', base, token);
  }
  for (const ct of WRONG_CONTENT_TYPES) add('PUT', base, tok.admin, valid, ct);
  for (const badTag of ['x'.repeat(256), '%00', 'a%00b']) for (const method of ['PUT', 'GET', 'DELETE']) add(method, `${base}/${badTag}`, tok.admin);
  add('GET', `${base}/absent`, tok.admin);
  add('DELETE', `${base}/absent`, tok.admin);
  for (const garbage of GARBAGE_IDS) {
    const g = `/v2.0/${collection}/${garbage}/tags`;
    for (const token of [tok.admin, tok.alice]) {
      add('GET', g, token);
      add('PUT', g, token, valid);
      add('POST', g, token, valid);
      add('DELETE', g, token);
      add('PUT', `${g}/x`, token);
      add('DELETE', `${g}/x`, token);
      add('GET', `${g}/x`, token);
    }
  }
  return cases;
}

/** A registered route no target covers (actions, read-only collections): garbage in, no 5xx out. */
export function extraRouteCases(group: string, method: string, url: string, realId: string | undefined, tok: Tokens): BadCase[] {
  const cases: BadCase[] = [];
  const hasBody = method === 'POST' || method === 'PUT';
  const bodies = hasBody
    ? [...structuralBodies('router', 'routers').map((b) => b.payload), ...BAD_VALUES.uuid.flatMap((v) => [json({ subnet_id: v }), json({ port_id: v })]),
      ...BAD_VALUES.list.map((v) => json({ router: { routes: v } })), json({ subnet_id: 'x', port_id: 'y' })]
    : [undefined];
  const some = GARBAGE_IDS.slice(0, 8);
  const ids = realId !== undefined ? [...some, realId] : some;
  for (const id of ids) {
    const concrete = url.replace(/:(\w+)/g, id);
    for (const payload of bodies) {
      // Only garbage may reach a real id; a real id with no body (a DELETE, say) is left alone.
      if (id === realId && payload === undefined && method !== 'GET') continue;
      cases.push({ group, method, url: concrete, token: tok.admin, mustFail: false, ...(payload !== undefined ? { payload, contentType: 'application/json' } : {}) });
    }
    cases.push({ group, method, url: concrete, token: FORGED, mustFail: true });
  }
  return cases;
}
