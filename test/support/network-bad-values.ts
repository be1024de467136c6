// Values Neutron refuses, by attribute kind. Each list holds only values that are invalid for EVERY
// attribute of that kind (no null where some attribute of the kind allows it, no booleans for
// integers because Neutron's convert_to_int takes True as 1), so a request carrying one must fail.
export type Kind = 'string' | 'bool' | 'int' | 'uuid' | 'cidr' | 'ip' | 'mac' | 'enum' | 'list' | 'dict' | 'protocol' | 'portRange';

const huge = Array.from({ length: 20_000 }, (_, i) => `a${i}`);
const deep = (n: number): unknown => (n === 0 ? 'bottom' : { d: deep(n - 1) });
const longString = 'x'.repeat(70_000);

const COMMON: unknown[] = [[], {}, [[]], { '': '' }, { nested: { deeper: [1, { x: null }] } }, deep(200)];

export const BAD_VALUES: Readonly<Record<Kind, readonly unknown[]>> = {
  string: [...COMMON, 12345, true, 1.5, ['a'], 'x'.repeat(256), longString, '\u202e\u0000evil'],
  bool: [...COMMON, 'maybe', 2, -1, 1.5, 'x'.repeat(300), 'truee', ''],
  int: [...COMMON, 'abc', 1.5, 1e30, '9'.repeat(40), '', 'x'.repeat(300), '1e3', '0x10'],
  uuid: [...COMMON, 'not-a-uuid', 12345, true, 'x'.repeat(300), '00000000-0000-0000-0000-00000000000g', '../../etc/passwd', "' or 1=1--"],
  cidr: [...COMMON, '999.1.1.1/8', 'abc', 12345, '10.0.0.0/33', '::/129', '10.0.0.0/8/8', 'x'.repeat(300), true],
  ip: [...COMMON, '300.1.1.1', 'abc', 12345, '1.2.3', ':::', 'x'.repeat(300), true, '10.0.0.1/24'],
  mac: [...COMMON, 'zz:zz:zz:zz:zz:zz', 12345, '00:00:00:00:00:00', 'x'.repeat(300), true, 'fa:16:3e:00:00'],
  enum: [...COMMON, 'nonexistent', 12345, true, 'x'.repeat(300), '\u00e9t\u00e9'],
  protocol: [...COMMON, 'nonexistent-proto', 256, -1, 1.5, 'x'.repeat(300), true],
  portRange: [...COMMON, 'abc', '5:1', '0:70000', 70000, true, 'x'.repeat(300), '1:2:3'],
  list: ['not-a-list', 12345, {}, [null], [12345], [[[[[]]]]], huge, [{ nested: { deep: [1, { x: 'y' }] } }], true],
  // Not [] or {}: Neutron's dict_or_nodata / dict_or_empty validators take empty values as "none".
  dict: ['not-a-dict', 12345, [{}], true, 'x'.repeat(300), 1.5],
};

/** Filter and paging values that must never reach the database as anything but a 4xx or an empty page. */
export const BAD_QUERIES: readonly string[] = [
  'limit=x', 'limit=-1', 'limit=1.5', `limit=${'9'.repeat(40)}`, 'limit=%00', 'marker=nonexistent', `marker=${'m'.repeat(300)}`,
  'marker=%00', 'marker=00000000-0000-0000-0000-000000000000', 'sort_key=nonexistent', 'sort_dir=sideways',
  'sort_key=name&sort_dir=asc&sort_dir=desc', 'sort_key=%00', 'page_reverse=maybe', 'fields=%00', `fields=${'f'.repeat(5000)}`,
  'id=%00', `id=${'i'.repeat(5000)}`, 'name=%FF%FE', 'tags=%00', 'tags-any=,,,', 'not-tags=', 'not-tags-any=%00', 'admin_state_up=maybe',
  'shared=2', 'router:external=x', 'tenant_id=%00', 'project_id[]=x', 'a[b][c]=d', 'limit=1&marker=nonexistent&page_reverse=True',
  `${'k'.repeat(300)}=v`, Array.from({ length: 300 }, (_, i) => `id=${i}`).join('&'), 'fixed_ips=ip_address%3D%00', 'fixed_ips=subnet_id%3Dx',
  'fixed_ips=garbage', 'ip_version=x', 'cidr=999.0.0.0/8', 'mac_address=zz', 'device_id=%00', 'sort_key=id&sort_key=id&sort_key=id',
];

export const GARBAGE_IDS: readonly string[] = [
  'nonexistent', 'x'.repeat(300), '%2e%2e%2f%2e%2e', "'%20or%201=1--", '%F0%9F%99%82', '%00', '-1', '00000000-0000-0000-0000-000000000000',
  '%FF%FE', 'a%00b', '%E2%80%AE', '1e9999', 'null', '%20', 'x'.repeat(36),
];

export const BAD_IF_MATCH: readonly string[] = ['revision_number=abc', 'revision_number=', '*', 'W/"1"', 'revision_number=1,revision_number=x', 'revision_number=-1', 'revision_number=999999'];

/** Body shapes that are wrong whatever the resource (never a valid create or update). */
export function structuralBodies(resource: string, bulkKey: string): { payload: string; contentType: string }[] {
  const json = (v: unknown) => ({ payload: JSON.stringify(v), contentType: 'application/json' });
  return [
    { payload: 'not json', contentType: 'application/json' }, { payload: '{"truncated": ', contentType: 'application/json' },
    { payload: '{"a": "\\u0000"}', contentType: 'application/json' }, { payload: '\u00ff\u00fe{}', contentType: 'application/json' },
    json([]), json(null), json(42), json('string'), json([[[[[]]]]]),
    json({ [resource]: null }), json({ [resource]: [] }), json({ [resource]: 'x' }), json({ [resource]: 7 }), json({ [resource]: [{}] }),
    json({ [bulkKey]: 'x' }), json({ [bulkKey]: [] }), json({ [bulkKey]: [1] }), json({ [bulkKey]: [null] }), json({ [bulkKey]: {} }),
    json({ [`${resource}x`]: { name: 'x' } }), json({ wrong: { name: 'x' } }),
    json({ [resource]: { nimbus_unknown_attribute: 1 } }), json({ [resource]: { 'bad\u202ekey': 1 } }),
    json({ [resource]: { id: 'x', status: 'ACTIVE' } }), json({ [resource]: { created_at: 'x' } }), json({ [resource]: { revision_number: 5 } }),
    json({ [resource]: { project_id: 'a', tenant_id: 'b' } }), json({ [resource]: { tenant_id: 12345 } }), json({ [resource]: { project_id: 'x'.repeat(300) } }),
    { payload: JSON.stringify({ [resource]: { x: 'y'.repeat(900_000) } }), contentType: 'application/json' },
    { payload: 'x'.repeat(2 * 1024 * 1024), contentType: 'application/json' },
  ];
}

export const WRONG_CONTENT_TYPES: readonly string[] = ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream'];
