#!/usr/bin/env node
// Writes a tempest.conf for a running Nimbus: credentials from OS_* variables, services from the
// token's catalog. Feature flags describe what Nimbus implements; each "false" says why.
//   node write-conf.mjs WORKSPACE_DIR > WORKSPACE_DIR/etc/tempest.conf
const env = process.env;
const auth = (env.OS_AUTH_URL ?? '').replace(/\/+$/, '');
if (!auth || !env.OS_PASSWORD) {
  console.error('write-conf: source an openrc first (OS_AUTH_URL, OS_PASSWORD)');
  process.exit(2);
}
const workspace = process.argv[2];
const body = { auth: { identity: { methods: ['password'], password: { user: {
  name: env.OS_USERNAME ?? 'admin', password: env.OS_PASSWORD, domain: { name: env.OS_USER_DOMAIN_NAME ?? 'Default' } } } },
  scope: { project: { name: env.OS_PROJECT_NAME ?? 'admin', domain: { name: env.OS_PROJECT_DOMAIN_NAME ?? 'Default' } } } } };
const res = await fetch(`${auth}/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
if (res.status !== 201) {
  console.error(`write-conf: authentication failed: ${res.status} ${await res.text()}`);
  process.exit(2);
}
const adminToken = res.headers.get('x-subject-token');
const catalog = (await res.json()).token.catalog ?? [];
const types = new Set(catalog.map((s) => s.type));
const has = (t) => (types.has(t) ? 'true' : 'false');
const computeOn = types.has('compute') && env.NIMBUS_TEMPEST_COMPUTE === '1';
const network = types.has('network') ? await networkSection(catalog, adminToken) : '';
const compute = computeOn ? await computeSection(catalog, adminToken) : '';
// Lockout and password-history tests need the cloud's own settings: pass the same
// NIMBUS_IDENTITY_* variables the cloud was started with.
const lockout = Number(env.NIMBUS_IDENTITY_LOCKOUT_FAILURE_ATTEMPTS ?? 0);
const compliance = lockout > 0 ? `security_compliance = true
` : `# Lockout and password history are off unless the cloud enables them (NIMBUS_IDENTITY_LOCKOUT_*).
security_compliance = false
`;

process.stdout.write(`[DEFAULT]
log_dir = ${workspace}/logs
log_file = tempest.log

[oslo_concurrency]
lock_path = ${workspace}/lock

[auth]
use_dynamic_credentials = true
admin_username = ${env.OS_USERNAME ?? 'admin'}
admin_password = ${env.OS_PASSWORD}
admin_project_name = ${env.OS_PROJECT_NAME ?? 'admin'}
admin_domain_name = ${env.OS_USER_DOMAIN_NAME ?? 'Default'}
default_credentials_domain_name = Default
# With servers, each test project gets a network, subnet and router to public (as DevStack runs it).
create_isolated_networks = ${computeOn}
tempest_roles = member

[identity]
uri_v3 = ${auth}
auth_version = v3
region = ${env.OS_REGION_NAME ?? 'RegionOne'}
v3_endpoint_type = public
admin_role = admin
user_lockout_failure_attempts = ${lockout}
user_lockout_duration = ${env.NIMBUS_IDENTITY_LOCKOUT_DURATION ?? 5}
user_unique_last_password_count = ${env.NIMBUS_IDENTITY_UNIQUE_LAST_PASSWORD_COUNT ?? 0}

[identity-feature-enabled]
api_v2 = false
api_v2_admin = false
api_v3 = true
application_credentials = true
access_rules = true
project_tags = true
# Trust CRUD is implemented; trust-scoped tokens are not yet (Tempest's API tests do not use them).
trust = true
# No LDAP or per-domain identity drivers: Nimbus keeps users in its own database.
domain_specific_drivers = false
${compliance}external_idp = false

[service_available]
# The compute API serves flavors, keypairs and quotas but boots no server yet (issue 6): Tempest's
# compute tests, and the network tests that boot servers, run only when asked for.
nova = ${computeOn}
neutron = ${has('network')}
glance = ${has('image')}
cinder = ${has('volumev3')}
swift = false
heat = false
horizon = false

[image-feature-enabled]
api_v2 = true
api_v1 = false
# glance-direct import and the os_glance_* reserved namespace are implemented; web-download would
# need outbound network, and there is one store, no cache and no multiple locations.
import_image = ${has('image')}
os_glance_reserved = ${has('image')}

[image]
region = ${env.OS_REGION_NAME ?? 'RegionOne'}
image_caching_enabled = false

${compute || '[validation]\nrun_validation = false\n'}${network}`);

/** Servers: the bootstrap's test image and flavors, and SSH validation through floating IPs. */
async function computeSection(catalog, token) {
  const imageEndpoint = catalog.find((s) => s.type === 'image')?.endpoints?.find((e) => e.interface === 'public')?.url;
  const images = imageEndpoint ? `${imageEndpoint.replace(/\/+$/, '')}/v2/images` : undefined;
  const byName = async (name) => {
    const found = images ? await fetch(`${images}?name=${name}`, { headers: { 'x-auth-token': token } }) : undefined;
    return found?.status === 200 ? (await found.json()).images?.find((i) => i.status === 'active')?.id : undefined;
  };
  const image = await byName('nimbus-cirros');
  if (!image) console.error('write-conf: no nimbus-cirros image: server tests will fail to boot');
  // Tests that filter servers by image need a second, distinct image: a copy of the first.
  let alt = image ? await byName('nimbus-cirros-alt') : undefined;
  if (image && !alt) alt = await copyImage(images, token, image, 'nimbus-cirros-alt');
  const hosts = Number(env.NIMBUS_SANDBOX_HOSTS ?? 1);
  return `
[compute]
image_ref = ${image ?? ''}
image_ref_alt = ${alt ?? image ?? ''}
flavor_ref = 42
flavor_ref_alt = 84
min_compute_nodes = ${hosts}
min_microversion = 2.1
max_microversion = 2.95
build_timeout = 300
build_interval = 1

[compute-feature-enabled]
# What the compute service implements now. change_password needs an image with a QEMU guest agent
# (nimbus-cirros has none); personality, SPICE and volumes are not served.
console_output = true
metadata_service = true
config_drive = true
enable_instance_password = true
change_password = false
resize = true
cold_migration = true
live_migration = true
pause = true
suspend = true
shelve = true
rescue = true
snapshot = true
interface_attach = true
personality = false
vnc_console = true
spice_console = false
serial_console = true
attach_encrypted_volume = false
swap_volume = false
volume_multiattach = false
block_migration_for_live_migration = true
scheduler_enabled_filters = AvailabilityZoneFilter,ComputeFilter,ImagePropertiesFilter,ServerGroupAntiAffinityFilter,ServerGroupAffinityFilter,SameHostFilter,DifferentHostFilter,AggregateInstanceExtraSpecsFilter

[validation]
run_validation = true
connect_method = floating
auth_method = keypair
image_ssh_user = cirros
image_alt_ssh_user = cirros
ip_version_for_ssh = 4
network_for_ssh = public
ssh_timeout = 120
ping_timeout = 120
`;
}

/** The network service's endpoint, its extensions, and an external network like DevStack's. */
async function networkSection(catalog, token) {
  const endpoint = catalog.find((s) => s.type === 'network')?.endpoints?.find((e) => e.interface === 'public')?.url;
  if (!endpoint) return '';
  const base = `${endpoint.replace(/\/+$/, '')}/v2.0`;
  const call = async (method, path, body) => {
    const r = await fetch(`${base}${path}`, { method, headers: { 'x-auth-token': token, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : {} };
  };
  const ext = await call('GET', '/extensions');
  const aliases = ext.status === 200 ? ext.body.extensions.map((e) => e.alias) : [];
  const publicId = await publicNetwork(call);
  const publicLine = publicId ? `public_network_id = ${publicId}\nfloating_network_name = public`
    : '# No external network could be found or created: floating IP and gateway tests skip.';
  return `
[network]
project_network_cidr = 10.100.0.0/16
project_network_mask_bits = 28
project_network_v6_cidr = 2001:db8::/48
project_network_v6_mask_bits = 64
${publicLine}

[network-feature-enabled]
api_extensions = ${aliases.join(',')}
ipv6 = true
ipv6_subnet_attributes = true
port_security = ${aliases.includes('port-security')}
port_admin_state_change = true
floating_ips = ${publicId ? 'true' : 'false'}

[neutron_plugin_options]
available_type_drivers = flat,vlan,vxlan,geneve
provider_vlans = public
# No VM is booted (no compute service), so nothing needs an advanced image.
image_is_advanced = false
`;
}

/** The external network "public" (flat, 172.24.4.0/24, as DevStack makes it): found, or created. */
async function publicNetwork(call) {
  const found = await call('GET', '/networks?router:external=True&name=public');
  const existing = found.status === 200 ? found.body.networks?.[0] : undefined;
  if (existing) return existing.id;
  const made = await call('POST', '/networks', { network: {
    name: 'public', 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'public' } });
  if (made.status !== 201) {
    console.error(`write-conf: cannot create the public network: ${made.status} ${JSON.stringify(made.body).slice(0, 300)}`);
    return undefined;
  }
  const id = made.body.network.id;
  const subnet = await call('POST', '/subnets', { subnet: {
    name: 'public-subnet', network_id: id, ip_version: 4, cidr: '172.24.4.0/24', gateway_ip: '172.24.4.1', enable_dhcp: false,
    allocation_pools: [{ start: '172.24.4.2', end: '172.24.4.254' }] } });
  if (subnet.status !== 201) console.error(`write-conf: cannot create the public subnet: ${subnet.status} ${JSON.stringify(subnet.body).slice(0, 300)}`);
  return id;
}

/** Uploads a public copy of image `id` named `name`; its id, or undefined (logged) on failure. */
async function copyImage(images, token, id, name) {
  const headers = { 'x-auth-token': token };
  const made = await fetch(images, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ name, disk_format: 'qcow2', container_format: 'bare', visibility: 'public' }) });
  if (made.status !== 201) { console.error(`write-conf: cannot create ${name}: ${made.status}`); return undefined; }
  const copy = (await made.json()).id;
  const data = await fetch(`${images}/${id}/file`, { headers });
  const put = await fetch(`${images}/${copy}/file`, { method: 'PUT', headers: { ...headers, 'content-type': 'application/octet-stream' },
    body: Buffer.from(await data.arrayBuffer()) });
  if (put.status !== 204) { console.error(`write-conf: cannot upload ${name}: ${put.status}`); return undefined; }
  return copy;
}
