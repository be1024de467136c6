// Fixtures for the router, floating IP and port forwarding tests: an external network with a
// subnet (made by the admin), tenant networks and subnets, and a captured notification stream.
import { randomUUID } from 'node:crypto';
import type { Bus } from '../../../src/bus/index.js';
import type { NetworkHarness } from '../../support/network-harness.js';
import { makeSubnet as fallbackSubnet } from './ports-support.js';

export type Json = Record<string, any>;

export async function network(h: NetworkHarness, token?: string, body: Json = {}): Promise<Json> {
  return h.create('network', 'networks', { name: `net-${randomUUID().slice(0, 8)}`, ...body }, token);
}

/** An IPv4 subnet through the API (falls back to the port tests' table fixture while it is missing). */
export async function subnet(h: NetworkHarness, net: Json, cidr: string, token?: string, body: Json = {}): Promise<Json> {
  const res = await h.request('POST', '/v2.0/subnets', {
    body: { subnet: { network_id: net.id, cidr, ip_version: 4, ...body } }, ...(token !== undefined ? { token } : {}),
  });
  if (res.statusCode === 201) return res.json().subnet;
  if (Object.keys(body).length === 0) return fallbackSubnet(h, net, cidr, token);
  throw new Error(`subnet create failed: ${res.statusCode} ${res.body}`);
}

/** The admin's router:external network with a /24 subnet. */
export async function externalNetwork(h: NetworkHarness, cidr = '172.24.4.0/24'): Promise<{ net: Json; subnet: Json }> {
  const net = await network(h, undefined, { 'router:external': true });
  return { net, subnet: await subnet(h, net, cidr) };
}

/** A tenant network + subnet. */
export async function privateNet(h: NetworkHarness, token: string, cidr: string): Promise<{ net: Json; subnet: Json }> {
  const net = await network(h, token);
  return { net, subnet: await subnet(h, net, cidr, token) };
}

export async function put(h: NetworkHarness, url: string, body: unknown, token?: string): Promise<{ status: number; json: Json }> {
  const res = await h.request('PUT', url, { body, ...(token !== undefined ? { token } : {}) });
  return { status: res.statusCode, json: res.body === '' ? {} : res.json() };
}

export async function get(h: NetworkHarness, url: string, token?: string): Promise<{ status: number; json: Json }> {
  const res = await h.request('GET', url, token !== undefined ? { token } : {});
  return { status: res.statusCode, json: res.body === '' ? {} : res.json() };
}

export async function post(h: NetworkHarness, url: string, body: unknown, token?: string): Promise<{ status: number; json: Json }> {
  const res = await h.request('POST', url, { body, ...(token !== undefined ? { token } : {}) });
  return { status: res.statusCode, json: res.body === '' ? {} : res.json() };
}

export async function del(h: NetworkHarness, url: string, token?: string): Promise<number> {
  return (await h.request('DELETE', url, token !== undefined ? { token } : {})).statusCode;
}

/** Replaces the harness's (absent) bus with one that records every notification. */
export function captureNotifications(h: NetworkHarness): { type: string; payload: Json }[] {
  const events: { type: string; payload: Json }[] = [];
  const bus = { notify: async (type: string, payload: unknown) => { events.push({ type, payload: payload as Json }); } } as unknown as Bus;
  (h.deps as { bus: Bus | undefined }).bus = bus;
  return events;
}

/** A router of `token`'s project with a gateway on `ext` and an interface on `sub`. */
export async function connectedRouter(h: NetworkHarness, token: string, ext: Json, sub: Json): Promise<Json> {
  const router = await h.create('router', 'routers', { name: 'r', external_gateway_info: { network_id: ext.id } }, token);
  const res = await put(h, `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: sub.id }, token);
  if (res.status !== 200) throw new Error(`add_router_interface failed: ${res.status} ${JSON.stringify(res.json)}`);
  return router;
}
