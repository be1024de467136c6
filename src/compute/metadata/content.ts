// What the metadata API serves for one instance, as nova.api.metadata.base.InstanceMetadata does:
// the OpenStack tree (/openstack/<version>/meta_data.json, user_data, password, vendor_data.json,
// vendor_data2.json, network_data.json) and the EC2 tree (/<version>/meta-data/…, user-data),
// looked up by a normalised path and rendered like base.ec2_md_print. Pure: the service reads
// the rows and hands them in.
import { randomBytes } from 'node:crypto';
import type { InstanceRow } from '../db/schema.js';

/** As webob sends them: text with its charset, JSON without. */
export const MIME_TEXT = 'text/plain; charset=UTF-8';
export const MIME_JSON = 'application/json';

/** EC2 metadata versions (base.VERSIONS). */
export const EC2_VERSIONS = ['1.0', '2007-01-19', '2007-03-01', '2007-08-29', '2007-10-10', '2007-12-15', '2008-02-01', '2008-09-01', '2009-04-04'] as const;

const FOLSOM = '2012-08-10';
const GRIZZLY = '2013-04-04';
const HAVANA = '2013-10-17';
const LIBERTY = '2015-10-15';
const NEWTON_ONE = '2016-06-30';
const NEWTON_TWO = '2016-10-06';
const OCATA = '2017-02-22';
const ROCKY = '2018-08-27';
const VICTORIA = '2020-10-14';

/** OpenStack metadata versions (base.OPENSTACK_VERSIONS). */
export const OPENSTACK_VERSIONS = [FOLSOM, GRIZZLY, HAVANA, LIBERTY, NEWTON_ONE, NEWTON_TWO, OCATA, ROCKY, VICTORIA] as const;

/** What the network side knows about the instance's ports (Nova's network_info, pre-digested). */
export interface MetadataNetworkInfo {
  /** network_data.json's links / networks / services (netutils.get_network_metadata). */
  readonly links?: readonly unknown[];
  readonly networks?: readonly unknown[];
  readonly services?: readonly unknown[];
  /** Fixed IPv4 addresses, first one is EC2 local-ipv4 (default: the requester's address). */
  readonly fixedIps?: readonly string[];
  /** Floating IPv4 addresses, first one is EC2 public-ipv4 (default ''). */
  readonly floatingIps?: readonly string[];
  /** Security group names of the instance's ports (EC2 security-groups). */
  readonly securityGroups?: readonly string[];
}

export interface InstanceKey { readonly name: string; readonly type: string; readonly data: string }

/** Everything gathered for one request, before any path is looked up. */
export interface InstanceMetadataSource {
  readonly instance: InstanceRow;
  /** nova_instance_metadata as a dict. */
  readonly meta: Record<string, string>;
  readonly key: InstanceKey | undefined;
  readonly network: MetadataNetworkInfo;
  readonly availabilityZone: string | null;
  /** CONF.api.dhcp_domain: appended to the hostname ('' for none). */
  readonly dhcpDomain: string;
  /** X-Forwarded-For: the instance's address as the proxy saw it. */
  readonly address: string | undefined;
  /** vendor_data.json (static JSON file driver) and vendor_data2.json (dynamic), default {}. */
  readonly vendorData: Record<string, unknown>;
  readonly vendorData2: Record<string, unknown>;
}

/** A lookup's answer: a body with its type, the password handler, or nothing (404). */
export type Lookup =
  | { readonly kind: 'data'; readonly body: string | Buffer; readonly contentType: string }
  | { readonly kind: 'password' }
  | { readonly kind: 'missing' };

const missing: Lookup = { kind: 'missing' };
const text = (body: string | Buffer): Lookup => ({ kind: 'data', body, contentType: MIME_TEXT });
// A Buffer, so that Fastify does not append a charset Nova does not send.
const json = (value: unknown): Lookup => ({ kind: 'data', body: Buffer.from(JSON.stringify(value)), contentType: MIME_JSON });

/** posixpath.normpath of '/' + path: collapses '//', '.', '..' and drops a trailing '/'. */
export function normalisePath(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/** base.ec2_md_print. */
type Tree = string | number | null | Buffer | readonly string[] | { readonly [key: string]: Tree };

export function ec2Print(data: Tree): string | Buffer {
  if (data === null) return 'None';
  if (typeof data === 'string' || Buffer.isBuffer(data)) return data;
  if (typeof data === 'number') return String(data);
  if (Array.isArray(data)) return data.join('\n');
  const dict = data as { readonly [key: string]: Tree };
  const lines: string[] = [];
  for (const key of Object.keys(dict).sort()) {
    if (key === '_name') continue;
    const value = dict[key];
    if (isDict(value)) lines.push(typeof value['_name'] === 'string' ? value['_name'] : `${key}/`);
    else lines.push(key);
  }
  return lines.join('\n');
}

function isDict(value: Tree | undefined): value is { readonly [key: string]: Tree } {
  return value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** `ami-%08x`-style ids need an integer; an image uuid's first 32 bits stand in for Nova's S3 image map. */
function ec2ImageId(imageRef: string): string {
  const hex = imageRef.replace(/-/g, '').slice(0, 8);
  const n = /^[0-9a-fA-F]{8}$/.test(hex) ? parseInt(hex, 16) : 0;
  return `ami-${n.toString(16).padStart(8, '0')}`;
}

export function ec2InstanceId(id: number): string {
  return `i-${id.toString(16).padStart(8, '0')}`;
}

function flavorName(instance: InstanceRow): string {
  try {
    const flavor = JSON.parse(instance.flavor) as { name?: unknown };
    return typeof flavor?.name === 'string' ? flavor.name : '';
  } catch {
    return '';
  }
}

/** block_device.instance_block_mapping for an image-backed instance (no volumes yet). */
function blockDeviceMapping(instance: InstanceRow): Record<string, string> {
  const root = instance.root_device_name;
  if (root === null || root === '') return { ami: 'sda1', ephemeral0: 'sda2', root: '/dev/sda1', swap: 'sda3' };
  return { ami: root.replace(/^\/dev\//, ''), root };
}

export class InstanceMetadata {
  readonly userData: Buffer | undefined;
  readonly hostname: string;

  constructor(readonly source: InstanceMetadataSource) {
    const raw = source.instance.user_data;
    this.userData = raw === null ? undefined : Buffer.from(raw, 'base64');
    this.hostname = `${source.instance.hostname}${source.dhcpDomain !== '' ? `.${source.dhcpDomain}` : ''}`;
  }

  /** base.InstanceMetadata.lookup for a normalised path other than '/'. */
  lookup(path: string): Lookup {
    let tokens = normalisePath(path).split('/').slice(1);
    if (tokens[0] !== 'ec2' && tokens[0] !== 'openstack') tokens = tokens[0] === '' ? ['ec2'] : ['ec2', ...tokens];
    if (tokens.length === 1) {
      return text((tokens[0] === 'openstack' ? [...OPENSTACK_VERSIONS, 'latest'] : [...EC2_VERSIONS, 'latest']).join('\n'));
    }
    return tokens[0] === 'openstack' ? this.#openstack(tokens.slice(1)) : this.#ec2(tokens.slice(1));
  }

  // ---- OpenStack format ------------------------------------------------------------------

  #openstack(tokens: string[]): Lookup {
    const requested = tokens[0]!;
    const version = requested === 'latest' ? OPENSTACK_VERSIONS[OPENSTACK_VERSIONS.length - 1]! : requested;
    if (!(OPENSTACK_VERSIONS as readonly string[]).includes(version)) return missing;
    const at = (required: string): boolean => OPENSTACK_VERSIONS.indexOf(version as never) >= OPENSTACK_VERSIONS.indexOf(required as never);
    const file = tokens.length === 1 ? '' : tokens.slice(1).join('/');
    switch (file) {
      case '': {
        const files = ['meta_data.json'];
        if (this.userData !== undefined) files.push('user_data');
        if (at(GRIZZLY)) files.push('password');
        if (at(HAVANA)) files.push('vendor_data.json');
        if (at(LIBERTY)) files.push('network_data.json');
        if (at(NEWTON_TWO)) files.push('vendor_data2.json');
        return text(files.join('\n'));
      }
      case 'meta_data.json': return json(this.metaData(at));
      case 'user_data': return this.userData === undefined ? missing : text(this.userData);
      case 'password': return at(GRIZZLY) ? { kind: 'password' } : missing;
      case 'vendor_data.json': return at(HAVANA) ? json(this.source.vendorData) : missing;
      case 'vendor_data2.json': return at(NEWTON_TWO) ? json(this.source.vendorData2) : missing;
      case 'network_data.json': {
        if (!at(LIBERTY)) return missing;
        const n = this.source.network;
        return json({ links: n.links ?? [], networks: n.networks ?? [], services: n.services ?? [] });
      }
      default: return missing;
    }
  }

  metaData(at: (required: string) => boolean): Record<string, unknown> {
    const { instance, meta, key } = this.source;
    const md: Record<string, unknown> = { uuid: instance.uuid };
    if (Object.keys(meta).length > 0) md['meta'] = meta;
    if (key !== undefined) {
      md['public_keys'] = { [key.name]: key.data };
      md['keys'] = [{ name: key.name, type: key.type, data: key.data }];
    }
    md['hostname'] = this.hostname;
    md['name'] = instance.display_name;
    md['launch_index'] = instance.launch_index;
    md['availability_zone'] = this.source.availabilityZone;
    if (at(GRIZZLY)) md['random_seed'] = randomBytes(512).toString('base64');
    if (at(LIBERTY)) md['project_id'] = instance.project_id;
    if (at(NEWTON_ONE)) md['devices'] = [];
    if (at(VICTORIA)) md['dedicated_cpus'] = [];
    return md;
  }

  // ---- EC2 format ---------------------------------------------------------------------------

  #ec2(tokens: string[]): Lookup {
    const requested = tokens[0]!;
    const version = requested === 'latest' ? EC2_VERSIONS[EC2_VERSIONS.length - 1]! : requested;
    if (!(EC2_VERSIONS as readonly string[]).includes(version)) return missing;
    const data = this.ec2Tree(version);
    // base.find_path_in_tree
    let node: Tree | undefined = data;
    const rest = tokens.slice(1);
    for (let i = 0; i < rest.length; i++) {
      const token = rest[i]!;
      if (isDict(node)) {
        if (!Object.hasOwn(node, token)) return missing;
        node = node[token];
      } else if (Array.isArray(node)) {
        // A list is indexed by its (string) elements in Python's `in` test, then by that string: always a TypeError
        // in Nova (a 500); here simply not found.
        return missing;
      } else {
        return missing;
      }
    }
    if (node === undefined) return missing;
    return text(ec2Print(node));
  }

  ec2Tree(version: string): { readonly [key: string]: Tree } {
    const at = (required: string): boolean => EC2_VERSIONS.indexOf(version as never) >= EC2_VERSIONS.indexOf(required as never);
    const { instance, network, key } = this.source;
    const fixed = network.fixedIps?.[0] ?? '';
    const floating = network.floatingIps?.[0] ?? '';
    const md: Record<string, Tree> = {
      'ami-id': ec2ImageId(instance.image_ref),
      'ami-launch-index': instance.launch_index,
      'ami-manifest-path': 'FIXME',
      'instance-id': ec2InstanceId(instance.id),
      hostname: this.hostname,
      'local-ipv4': fixed !== '' ? fixed : (this.source.address ?? null),
      'reservation-id': instance.reservation_id,
      'security-groups': [...(network.securityGroups ?? [])],
    };
    if (instance.key_name !== null && key !== undefined) {
      md['public-keys'] = { 0: { _name: `0=${instance.key_name}`, 'openssh-key': key.data } };
    }
    if (at('2007-01-19')) {
      md['local-hostname'] = this.hostname;
      md['public-hostname'] = this.hostname;
      md['public-ipv4'] = floating;
    }
    if (at('2007-08-29')) md['instance-type'] = flavorName(instance);
    if (at('2007-12-15')) md['block-device-mapping'] = blockDeviceMapping(instance);
    if (at('2008-02-01')) md['placement'] = { 'availability-zone': this.source.availabilityZone };
    if (at('2008-09-01')) md['instance-action'] = 'none';
    const tree: Record<string, Tree> = { 'meta-data': md };
    if (this.userData !== undefined) tree['user-data'] = this.userData;
    return tree;
  }
}
