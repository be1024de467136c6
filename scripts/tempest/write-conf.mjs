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
const types = new Set(((await res.json()).token.catalog ?? []).map((s) => s.type));
const has = (t) => (types.has(t) ? 'true' : 'false');
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
create_isolated_networks = false
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
nova = ${has('compute')}
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

[validation]
run_validation = false
`);
