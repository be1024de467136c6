// How domains and projects look on the wire. A domain can also be shown as the project acting as
// it (is_domain: true), which is how Keystone stores every domain.
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DomainRow, IdentityDb, ProjectRow } from '../db/schema.js';
import { loadOptions } from '../domain/resource-options.js';
import { loadTags, type ResourceKind } from '../domain/tags.js';
import { parseJson, selfLink } from './helpers.js';

export interface Details {
  readonly tags: readonly string[];
  readonly options: Readonly<Record<string, unknown>>;
}

/** Tags and options of many resources in two queries; `tags` may be passed when already loaded. */
export async function loadDetails(db: Kysely<IdentityDb>, kind: ResourceKind, ids: readonly string[], tags?: Map<string, string[]>): Promise<(id: string) => Details> {
  const allTags = tags ?? await loadTags(db, kind, ids);
  const options = await loadOptions(db, ids);
  return (id) => ({ tags: allTags.get(id) ?? [], options: options.get(id) ?? {} });
}

export function renderDomain(request: FastifyRequest, d: DomainRow, details: Details): Record<string, unknown> {
  return {
    ...parseJson(d.extra),
    id: d.id,
    name: d.name,
    description: d.description,
    enabled: d.enabled === 1,
    tags: details.tags,
    options: details.options,
    links: selfLink(request, `domains/${d.id}`),
  };
}

export function renderProject(request: FastifyRequest, p: ProjectRow, details: Details): Record<string, unknown> {
  return {
    ...parseJson(p.extra),
    id: p.id,
    name: p.name,
    domain_id: p.domain_id,
    // Keystone shows a top-level project's domain as its parent.
    parent_id: p.parent_id ?? p.domain_id,
    description: p.description,
    enabled: p.enabled === 1,
    is_domain: false,
    tags: details.tags,
    options: details.options,
    links: selfLink(request, `projects/${p.id}`),
  };
}

export function renderDomainAsProject(request: FastifyRequest, d: DomainRow, details: Details): Record<string, unknown> {
  return {
    ...parseJson(d.extra),
    id: d.id,
    name: d.name,
    domain_id: null,
    parent_id: null,
    description: d.description,
    enabled: d.enabled === 1,
    is_domain: true,
    tags: details.tags,
    options: details.options,
    links: selfLink(request, `projects/${d.id}`),
  };
}
