// Parsers for `ip -json`, `bridge -json` and `nft -j` output. Defensive: unknown fields are
// ignored, malformed entries are skipped, never thrown on.

export interface LinkInfo {
  name: string;
  index: number;
  mtu: number;
  mac: string;
  up: boolean;
  kind?: string;
  master?: string;
  vxlan?: { id: number; local?: string; dstport?: number; dev?: string; learning: boolean; proxy: boolean };
}
export interface AddressInfo { dev: string; family: 4 | 6; cidr: string; scope: string }
export interface RouteInfo { dst: string; via?: string; dev?: string; scope?: string; family: 4 | 6 }
export interface FdbEntry { mac: string; dst?: string; dev: string; permanent: boolean }
export interface NeighEntry { ip: string; mac?: string; dev: string; states: string[] }

type Json = Record<string, unknown>;

/** JSON array from tool output; empty output (some tools print nothing when empty) is []. */
function parseArray(text: string): Json[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const value: unknown = JSON.parse(trimmed);
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function parseLinks(text: string): LinkInfo[] {
  const raw = parseArray(text);
  // vxlan "link" is normally a name, but an index when ip could not resolve it.
  const byIndex = new Map<number, string>();
  for (const l of raw) {
    const index = num(l.ifindex);
    const name = str(l.ifname);
    if (index !== undefined && name !== undefined) byIndex.set(index, name);
  }
  const links: LinkInfo[] = [];
  for (const l of raw) {
    const name = str(l.ifname);
    const index = num(l.ifindex);
    if (name === undefined || index === undefined) continue;
    const link: LinkInfo = {
      name, index, mtu: num(l.mtu) ?? 0, mac: str(l.address) ?? '', up: strings(l.flags).includes('UP'),
    };
    const info = isObject(l.linkinfo) ? l.linkinfo : undefined;
    const kind = str(info?.info_kind);
    if (kind !== undefined) link.kind = kind;
    const master = str(l.master);
    if (master !== undefined) link.master = master;
    if (kind === 'vxlan' && info && isObject(info.info_data)) link.vxlan = parseVxlan(info.info_data, byIndex);
    links.push(link);
  }
  return links;
}

function parseVxlan(d: Json, byIndex: Map<number, string>): NonNullable<LinkInfo['vxlan']> {
  const vx: NonNullable<LinkInfo['vxlan']> = { id: num(d.id) ?? 0, learning: d.learning === true, proxy: d.proxy === true };
  const local = str(d.local) ?? str(d.local6);
  if (local !== undefined) vx.local = local;
  const port = num(d.port);
  if (port !== undefined) vx.dstport = port;
  const dev = typeof d.link === 'number' ? byIndex.get(d.link) : str(d.link);
  if (dev !== undefined) vx.dev = dev;
  return vx;
}

export function parseAddresses(text: string): AddressInfo[] {
  const out: AddressInfo[] = [];
  for (const l of parseArray(text)) {
    const dev = str(l.ifname);
    if (dev === undefined || !Array.isArray(l.addr_info)) continue;
    for (const a of l.addr_info.filter(isObject)) {
      const local = str(a.local);
      const prefix = num(a.prefixlen);
      const family = a.family === 'inet' ? 4 : a.family === 'inet6' ? 6 : undefined;
      if (local === undefined || prefix === undefined || family === undefined) continue;
      out.push({ dev, family, cidr: `${local}/${prefix}`, scope: str(a.scope) ?? 'global' });
    }
  }
  return out;
}

export function parseRoutes(text: string, family: 4 | 6): RouteInfo[] {
  const out: RouteInfo[] = [];
  for (const r of parseArray(text)) {
    const dst = str(r.dst);
    if (dst === undefined) continue;
    const route: RouteInfo = { dst, family };
    const via = str(r.gateway) ?? (isObject(r.via) ? str(r.via.host) : undefined);
    if (via !== undefined) route.via = via;
    const dev = str(r.dev);
    if (dev !== undefined) route.dev = dev;
    const scope = str(r.scope);
    if (scope !== undefined) route.scope = scope;
    out.push(route);
  }
  return out;
}

/** `bridge -json fdb show dev X` omits ifname, so the queried device is the fallback. */
export function parseFdb(text: string, dev: string): FdbEntry[] {
  const out: FdbEntry[] = [];
  for (const e of parseArray(text)) {
    const mac = str(e.mac);
    if (mac === undefined) continue;
    const entry: FdbEntry = { mac, dev: str(e.ifname) ?? dev, permanent: e.state === 'permanent' };
    const dst = str(e.dst);
    if (dst !== undefined) entry.dst = dst;
    out.push(entry);
  }
  return out;
}

export function parseNeighbours(text: string, dev: string): NeighEntry[] {
  const out: NeighEntry[] = [];
  for (const n of parseArray(text)) {
    const ip = str(n.dst);
    if (ip === undefined) continue;
    const entry: NeighEntry = { ip, dev: str(n.dev) ?? dev, states: strings(n.state) };
    const mac = str(n.lladdr);
    if (mac !== undefined) entry.mac = mac;
    out.push(entry);
  }
  return out;
}

export function parseNftTables(text: string): { family: string; name: string }[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const doc: unknown = JSON.parse(trimmed);
  const items = isObject(doc) && Array.isArray(doc.nftables) ? doc.nftables.filter(isObject) : [];
  const out: { family: string; name: string }[] = [];
  for (const item of items) {
    const t = isObject(item.table) ? item.table : undefined;
    const family = str(t?.family);
    const name = str(t?.name);
    if (family !== undefined && name !== undefined) out.push({ family, name });
  }
  return out;
}

/** `ip -json netns list`: [{"name":"x","id":0}, …]; empty output when there are none. */
export function parseNetnsList(text: string): string[] {
  return parseArray(text).map((n) => str(n.name)).filter((n): n is string => n !== undefined);
}

/** `ip netns pids NS`: one pid per line. */
export function parsePids(text: string): number[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => /^\d+$/.test(l)).map(Number);
}
