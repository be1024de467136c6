// Request bodies of /v3/domains and /v3/projects, as Keystone's JSON schemas define them.
import { badRequest } from '../../core/errors.js';
import { isBoolean, isString, nullable, parseBody, type BodySpec } from '../../core/validate.js';
import type { DomainInput } from '../domain/domains.js';
import type { ProjectInput } from '../domain/projects.js';
import { isOptionChanges } from '../domain/resource-options.js';
import { isTagList } from '../domain/tags.js';

// Keystone's _name_properties: 1 to 64 characters, at least one of them not whitespace.
const NAME = { check: isString({ min: 1, max: 64, pattern: /\S/ }) };
const ID = isString({ min: 1, max: 64 });
const EXPLICIT_ID = /^([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

const COMMON: BodySpec = {
  name: NAME,
  description: { check: nullable(isString({ max: 65535 })) },
  enabled: { check: isBoolean },
  tags: { check: isTagList },
  options: { check: isOptionChanges },
};

const DOMAIN_FIELDS: BodySpec = { ...COMMON, explicit_domain_id: { check: isString({ min: 1, max: 64 }) } };

const PROJECT_FIELDS: BodySpec = {
  ...COMMON,
  domain_id: { check: nullable(ID) },
  parent_id: { check: nullable(ID) },
  is_domain: { check: isBoolean },
};

function parse(body: unknown, key: string, spec: BodySpec, create: boolean): { fields: Record<string, unknown>; extra: Record<string, unknown> } {
  const parsed = parseBody(body, key, create ? { ...spec, name: { ...NAME, required: true } } : spec, true);
  // Updates must change something (Keystone's minProperties: 1).
  if (!create && Object.keys(parsed.fields).length + Object.keys(parsed.extra).length === 0) {
    throw badRequest(`Invalid input for field '${key}': {} does not have enough properties.`);
  }
  delete parsed.extra.links;
  return parsed;
}

// A domain is the project acting as it: these project attributes are fixed, so a body may not set
// them (Keystone silently drops them; refusing them keeps a mistyped request from half-working).
const PROJECT_ONLY = ['domain_id', 'parent_id', 'is_domain'];

export function parseDomain(body: unknown, create: boolean): { input: DomainInput; explicitId?: string } {
  const { fields, extra } = parse(body, 'domain', create ? DOMAIN_FIELDS : COMMON, create);
  delete extra.id;
  const fixed = PROJECT_ONLY.find((k) => k in extra);
  if (fixed) throw badRequest(`Invalid input for field 'domain': '${fixed}' cannot be set on a domain.`);
  const { explicit_domain_id: explicitId, ...input } = fields;
  if (explicitId !== undefined && !EXPLICIT_ID.test(explicitId as string)) {
    throw badRequest('Domain ID does not conform to required UUID format.');
  }
  return { input: { ...(input as DomainInput), extra }, ...(explicitId !== undefined ? { explicitId: explicitId as string } : {}) };
}

/** On update, an `id` in the body must be the project's own (Keystone's _require_matching_id). */
export function parseProject(body: unknown, create: boolean, id?: string): ProjectInput {
  const { fields, extra } = parse(body, 'project', PROJECT_FIELDS, create);
  if (!create && extra.id !== undefined && extra.id !== id) throw badRequest('Cannot change ID');
  delete extra.id;
  return { ...(fields as ProjectInput), extra };
}
