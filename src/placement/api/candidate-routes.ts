// GET /allocation_candidates (microversion 1.10), rendered in the shape of the microversion:
// list-style allocation requests before 1.12, mappings from 1.34; provider summaries with
// traits from 1.17, every class from 1.27, parent/root from 1.29.
import type { FastifyInstance } from 'fastify';
import { loadSnapshot } from '../domain/candidate-data.js';
import { parseCandidateRequest } from '../domain/candidate-request.js';
import { findCandidates, type AllocationRequest, type CandidateResult } from '../domain/candidates.js';
import { badRequest, resourceClassNotFoundText, traitNotFoundText } from '../domain/errors.js';
import { atLeast, requireVersion, type Version } from '../domain/microversion.js';
import { resourceClassIds, traitIds } from '../domain/store.js';
import type { PlacementDeps } from './deps.js';
import { authorize, cacheHeaders, checkAccept, route, sendJson } from './http.js';

function renderRequest(r: AllocationRequest, v: Version): unknown {
  if (!atLeast(v, '1.12')) {
    return {
      allocations: [...r.allocations].map(([uuid, res]) => ({ resource_provider: { uuid }, resources: Object.fromEntries(res) })),
    };
  }
  return {
    allocations: Object.fromEntries([...r.allocations].map(([uuid, res]) => [uuid, { resources: Object.fromEntries(res) }])),
    ...(atLeast(v, '1.34') ? { mappings: Object.fromEntries(r.mappings) } : {}),
  };
}

export function renderCandidates(result: CandidateResult, requested: ReadonlySet<string>, v: Version): unknown {
  const allClasses = atLeast(v, '1.27');
  const summaries: Record<string, unknown> = {};
  for (const s of result.summaries) {
    const resources = Object.fromEntries([...s.resources].filter(([rc]) => allClasses || requested.has(rc)));
    summaries[s.uuid] = {
      resources,
      ...(atLeast(v, '1.17') ? { traits: s.traits } : {}),
      ...(atLeast(v, '1.29') ? { parent_provider_uuid: s.parent, root_provider_uuid: s.root } : {}),
    };
  }
  return { allocation_requests: result.requests.map((r) => renderRequest(r, v)), provider_summaries: summaries };
}

export function registerCandidateRoutes(app: FastifyInstance, deps: PlacementDeps): void {
  route(app, deps, '/allocation_candidates', {
    GET: async (ctx) => {
      requireVersion(ctx.version, '1.10');
      checkAccept(ctx);
      await authorize(ctx, 'placement:allocation_candidates:list');
      const { groups, params } = parseCandidateRequest(ctx.query, ctx.version);
      const requested = new Set(groups.flatMap((g) => [...g.resources.keys()]));
      const rcIds = await resourceClassIds(ctx.deps.db, requested);
      for (const rc of requested) {
        if (!rcIds.has(rc)) throw badRequest(`Invalid resource class in resources parameter: ${resourceClassNotFoundText(rc)}`);
      }
      const traits = new Set([
        ...groups.flatMap((g) => [...g.required.flat(), ...g.forbidden]),
        ...(params.rootRequired ?? []), ...(params.rootForbidden ?? []),
      ]);
      const known = await traitIds(ctx.deps.db, traits);
      const missing = [...traits].filter((t) => !known.has(t));
      if (missing.length > 0) throw badRequest(traitNotFoundText(missing));
      const snapshot = await loadSnapshot(ctx.deps.db);
      const result = findCandidates(snapshot, groups, params);
      cacheHeaders(ctx);
      return sendJson(ctx, renderCandidates(result, requested, ctx.version));
    },
  });
}
