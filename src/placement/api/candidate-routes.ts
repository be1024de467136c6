// GET /allocation_candidates (microversion 1.10), rendered in the shape of the microversion:
// list-style allocation requests before 1.12, mappings from 1.34; provider summaries with
// traits from 1.17, every class from 1.27, parent/root from 1.29.
import type { FastifyInstance } from 'fastify';
import { loadSnapshot } from '../domain/candidate-data.js';
import { parseCandidateRequest } from '../domain/candidate-request.js';
import { findCandidates, type AllocationRequest, type CandidateResult, type ProviderSummary } from '../domain/candidates.js';
import { badRequest, resourceClassNotFoundText, traitNotFoundText } from '../domain/errors.js';
import { atLeast, requireVersion, type Version } from '../domain/microversion.js';
import { resourceClassIds, traitIds } from '../domain/store.js';
import { rememberedPerShape } from '../domain/shape-memo.js';
import type { PlacementDeps } from './deps.js';
import { authorize, cacheHeaders, checkAccept, route, sendJson } from './http.js';

/** A class → amount map as a JSON object. */
function resourcesObject(res: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [rc, n] of res) out[rc] = n;
  return out;
}

function renderRequest(r: AllocationRequest, dictStyle: boolean, withMappings: boolean): unknown {
  if (!dictStyle) {
    return { allocations: [...r.allocations].map(([uuid, res]) => ({ resource_provider: { uuid }, resources: resourcesObject(res) })) };
  }
  const allocations: Record<string, unknown> = {};
  for (const [uuid, res] of r.allocations) allocations[uuid] = { resources: resourcesObject(res) };
  if (!withMappings) return { allocations };
  const mappings: Record<string, readonly string[]> = {};
  for (const [suffix, providers] of r.mappings) mappings[suffix] = providers;
  return { allocations, mappings };
}

interface SummaryShape {
  readonly allClasses: boolean;
  readonly withTraits: boolean;
  readonly withTree: boolean;
  readonly requested: ReadonlySet<string>;
}

function renderSummary(s: ProviderSummary, shape: SummaryShape): unknown {
  const resources: Record<string, { capacity: number; used: number }> = {};
  for (const [rc, r] of s.resources) if (shape.allClasses || shape.requested.has(rc)) resources[rc] = r;
  const summary: Record<string, unknown> = { resources };
  if (shape.withTraits) summary.traits = s.traits;
  if (shape.withTree) {
    summary.parent_provider_uuid = s.parent;
    summary.root_provider_uuid = s.root;
  }
  return summary;
}

// The search hands out the same request and summary objects while nothing about a provider
// changes (candidates.ts). Each one's JSON, already UTF-8 encoded, is kept with it per shape, and
// the answer is those bytes joined: serialising and encoding a thousand candidates again on every
// scheduling decision cost more than finding them.
const renderedRequests = new WeakMap<AllocationRequest, Map<string, Buffer>>();
const renderedSummaries = new WeakMap<ProviderSummary, Map<string, Buffer>>();

function remembered<K extends object>(store: WeakMap<K, Map<string, Buffer>>, item: K, shape: string, render: () => string): Buffer {
  return rememberedPerShape(store, item, shape, () => Buffer.from(render()));
}

const COMMA = Buffer.from(',');
const OPEN = Buffer.from('{"allocation_requests":[');
const MIDDLE = Buffer.from('],"provider_summaries":{');
const CLOSE = Buffer.from('}}');

/** `parts` joined by commas into `out`. */
function pushJoined(out: Buffer[], parts: readonly Buffer[]): void {
  parts.forEach((part, i) => {
    if (i > 0) out.push(COMMA);
    out.push(part);
  });
}

/** The answer in the microversion's shape, as UTF-8 JSON; the gates are read once, not per candidate. */
export function renderCandidates(result: CandidateResult, requested: ReadonlySet<string>, v: Version): Buffer {
  const shape: SummaryShape = { allClasses: atLeast(v, '1.27'), withTraits: atLeast(v, '1.17'), withTree: atLeast(v, '1.29'), requested };
  const summaryKey = `${shape.withTraits}:${shape.withTree}:${shape.allClasses ? '*' : [...requested].sort().join(',')}`;
  const dictStyle = atLeast(v, '1.12');
  const withMappings = atLeast(v, '1.34');
  const requestKey = `${dictStyle}:${withMappings}`;
  const out: Buffer[] = [OPEN];
  pushJoined(out, result.requests.map((r) => remembered(renderedRequests, r, requestKey, () => JSON.stringify(renderRequest(r, dictStyle, withMappings)))));
  out.push(MIDDLE);
  pushJoined(out, result.summaries.map((s) => remembered(renderedSummaries, s, summaryKey, () => `${JSON.stringify(s.uuid)}:${JSON.stringify(renderSummary(s, shape))}`)));
  out.push(CLOSE);
  return Buffer.concat(out);
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
