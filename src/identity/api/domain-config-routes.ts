// /v3/domains/{id}/config[/{group}[/{option}]] and the defaults under /v3/domains/config/.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden } from '../../core/errors.js';
import { createConfig, defaultConfig, deleteConfig, getConfig, updateConfig } from '../domain/domain-config.js';
import { getDomain } from '../domain/domains.js';
import type { IdentityDeps } from './deps.js';
import { authorize, type Params } from './helpers.js';

const SECURITY_COMPLIANCE = 'security_compliance';
const READABLE_COMPLIANCE = ['password_regex', 'password_regex_description'];

/**
 * The security_compliance group is read from the service's own settings, and only for the default
 * domain. Nimbus has no password regex setting, so both values are null (Keystone's defaults).
 */
function securityCompliance(domainId: string, option?: string): Record<string, unknown> {
  if (domainId !== 'default') {
    throw forbidden('Invalid domain specific configuration: Reading security compliance information for any domain other than the default domain is not allowed or supported.');
  }
  if (option !== undefined && !READABLE_COMPLIANCE.includes(option)) {
    throw forbidden('Invalid domain specific configuration: Reading security compliance values other than password_regex and password_regex_description is not allowed.');
  }
  if (option !== undefined) return { [option]: null };
  return { [SECURITY_COMPLIANCE]: Object.fromEntries(READABLE_COMPLIANCE.map((o) => [o, null])) };
}

export function registerDomainConfigRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const configBody = (request: FastifyRequest) => (request.body as Record<string, unknown> | undefined)?.config;

  app.get('/v3/domains/config/default', async (request) => {
    await authorize(deps, request, 'identity:get_domain_config_default');
    return { config: defaultConfig() };
  });
  app.get('/v3/domains/config/:group/default', async (request) => {
    const { group } = request.params as Params;
    await authorize(deps, request, 'identity:get_domain_config_default');
    return { config: defaultConfig(group) };
  });
  app.get('/v3/domains/config/:group/:option/default', async (request) => {
    const { group, option } = request.params as Params;
    await authorize(deps, request, 'identity:get_domain_config_default');
    return { config: defaultConfig(group, option) };
  });

  app.put('/v3/domains/:domain_id/config', async (request, reply) => {
    const { domain_id } = request.params as Params;
    await authorize(deps, request, 'identity:create_domain_config', { domain_id });
    await getDomain(deps.db, domain_id!);
    const { config, created } = await createConfig(deps, domain_id!, configBody(request));
    reply.code(created ? 201 : 200);
    return { config };
  });

  for (const path of ['/v3/domains/:domain_id/config', '/v3/domains/:domain_id/config/:group', '/v3/domains/:domain_id/config/:group/:option']) {
    app.get(path, async (request) => {
      const { domain_id, group, option } = request.params as Params;
      const compliance = group === SECURITY_COMPLIANCE;
      await authorize(deps, request, compliance ? 'identity:get_security_compliance_domain_config' : 'identity:get_domain_config', { domain_id });
      await getDomain(deps.db, domain_id!);
      return { config: compliance ? securityCompliance(domain_id!, option) : await getConfig(deps.db, domain_id!, group, option) };
    });
    app.patch(path, async (request) => {
      const { domain_id, group, option } = request.params as Params;
      await authorize(deps, request, 'identity:update_domain_config', { domain_id });
      await getDomain(deps.db, domain_id!);
      return { config: await updateConfig(deps, domain_id!, configBody(request), group, option) };
    });
    app.delete(path, async (request, reply) => {
      const { domain_id, group, option } = request.params as Params;
      await authorize(deps, request, 'identity:delete_domain_config', { domain_id });
      await getDomain(deps.db, domain_id!);
      await deleteConfig(deps, domain_id!, group, option);
      reply.code(204).send();
    });
  }
}
