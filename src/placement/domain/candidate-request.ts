// GET /allocation_candidates query parsing (placement/lib.py RequestGroup and RequestWideParams):
// the query schema of the microversion, request groups keyed by suffix (numbers from 1.25,
// any [A-Za-z0-9_-]{1,64} from 1.33), orphan and resourceless-group checks, forbidden/required
// conflicts, limit, group_policy, root_required (1.35) and same_subtree (1.36).
import { badRequest, CODES } from './errors.js';
import { describeError, bestError, validateAll, type Schema } from './json-schema.js';
import { atLeast, type Version } from './microversion.js';
import type { RequestGroup, RequestParams } from './candidates.js';
import {
  normalizeInTree, normalizeMemberOfParams, normalizeResources, normalizeTraitsParam, normalizeTraitsParams, type QueryParams,
} from './query.js';
import {
  GET_CANDIDATES_1_10, GET_CANDIDATES_1_16, GET_CANDIDATES_1_17, GET_CANDIDATES_1_21, GET_CANDIDATES_1_25, GET_CANDIDATES_1_31,
  GET_CANDIDATES_1_33, GET_CANDIDATES_1_35, GET_CANDIDATES_1_36, GROUP_PAT, GROUP_PAT_1_33,
} from './schemas.js';
import { normalizeUuid } from './uuid.js';

function querySchema(v: Version): Schema {
  if (atLeast(v, '1.36')) return GET_CANDIDATES_1_36;
  if (atLeast(v, '1.35')) return GET_CANDIDATES_1_35;
  if (atLeast(v, '1.33')) return GET_CANDIDATES_1_33;
  if (atLeast(v, '1.31')) return GET_CANDIDATES_1_31;
  if (atLeast(v, '1.25')) return GET_CANDIDATES_1_25;
  if (atLeast(v, '1.21')) return GET_CANDIDATES_1_21;
  if (atLeast(v, '1.17')) return GET_CANDIDATES_1_17;
  if (atLeast(v, '1.16')) return GET_CANDIDATES_1_16;
  return GET_CANDIDATES_1_10;
}

/** validate_query_params: the last value of each key against the microversion's schema. */
export function validateQuery(query: QueryParams, schema: Schema): void {
  const best = bestError(validateAll(query.toDict(), schema));
  if (best !== undefined) throw badRequest(`Invalid query string parameters: ${describeError(best)}`);
}

interface MutableGroup {
  suffix: string;
  resources: Map<string, number>;
  required: string[][];
  forbidden: Set<string>;
  memberOf: string[][];
  forbiddenAggregates: Set<string>;
  inTree?: string;
}

export interface CandidateRequest {
  readonly groups: RequestGroup[];
  readonly params: RequestParams;
}

export function parseCandidateRequest(query: QueryParams, v: Version): CandidateRequest {
  validateQuery(query, querySchema(v));
  const suffixPattern = atLeast(v, '1.33') ? GROUP_PAT_1_33 : GROUP_PAT;
  const keyPattern = new RegExp(`^(resources|required|member_of|in_tree)(${suffixPattern})?$`);
  const bySuffix = new Map<string, MutableGroup>();
  for (const key of query.keys()) {
    const m = keyPattern.exec(key);
    if (m === null) continue;
    const prefix = m[1]!;
    const suffix = m[2] ?? '';
    let g = bySuffix.get(suffix);
    if (g === undefined) {
      bySuffix.set(suffix, (g = { suffix, resources: new Map(), required: [], forbidden: new Set(), memberOf: [], forbiddenAggregates: new Set() }));
    }
    const values = query.getAll(key);
    if (prefix === 'resources') {
      for (const value of values) g.resources = normalizeResources(value);
    } else if (prefix === 'required') {
      const traits = normalizeTraitsParams(values, v);
      g.required = traits.required;
      g.forbidden = traits.forbidden;
    } else if (prefix === 'member_of') {
      const aggs = normalizeMemberOfParams(values, v, suffix);
      g.memberOf = aggs.required.map((anyOf) => anyOf.map(normalizeUuid));
      g.forbiddenAggregates = new Set([...aggs.forbidden].map(normalizeUuid));
    } else {
      for (const value of values) g.inTree = normalizeUuid(normalizeInTree(value));
    }
  }

  const params = requestWideParams(query, v);
  const groups = [...bySuffix.values()];
  if (atLeast(v, '1.36')) {
    const resourceless = groups.filter((g) => g.resources.size === 0).map((g) => g.suffix);
    const inSubtrees = new Set((params.sameSubtrees ?? []).flatMap((s) => [...s]));
    if (resourceless.length === groups.length) {
      throw badRequest('There must be at least one resources or resources[$S] parameter.', CODES.QUERYPARAM_MISSING_VALUE);
    }
    const bad = resourceless.filter((s) => !inSubtrees.has(s));
    if (bad.length > 0) {
      throw badRequest(`Resourceless suffixed group request should be specified in \`same_subtree\` query param: bad group(s) - [${bad.map((s) => `'${s}'`).join(', ')}].`, CODES.QUERYPARAM_BAD_VALUE);
    }
    const unknown = [...inSubtrees].filter((s) => !bySuffix.has(s));
    if (unknown.length > 0) {
      throw badRequest(`Real suffixes should be specified in \`same_subtree\`: [${unknown.map((s) => `'${s}'`).join(', ')}] not found in [${[...bySuffix.keys()].map((s) => `'${s}'`).join(', ')}].`, CODES.QUERYPARAM_BAD_VALUE);
    }
  } else {
    const traitOrphans = groups.filter((g) => g.required.length > 0 && g.resources.size === 0).map((g) => `required${g.suffix}`);
    if (traitOrphans.length > 0) {
      throw badRequest(`All traits parameters must be associated with resources.  Found the following orphaned traits keys: ${traitOrphans.join(', ')}`);
    }
    const aggOrphans = groups.filter((g) => g.resources.size === 0 && (g.memberOf.length > 0 || g.forbiddenAggregates.size > 0)).map((g) => `member_of${g.suffix}`);
    if (aggOrphans.length > 0) {
      throw badRequest(`All member_of parameters must be associated with resources. Found the following orphaned member_of keys: ${aggOrphans.join(', ')}`);
    }
    if (!groups.every((g) => g.resources.size > 0)) throw badRequest('All request groups must specify resources.');
    if (groups.length === 0) throw badRequest('At least one request group (`resources` or `resources{$S}`) is required.');
  }
  if (atLeast(v, '1.22')) {
    const conflicts: string[] = [];
    for (const g of groups) {
      for (const anyOf of g.required) {
        if (anyOf.every((t) => g.forbidden.has(t))) conflicts.push(`required${g.suffix}: (${[...anyOf].sort().join(', ')})`);
      }
    }
    if (conflicts.length > 0) {
      throw badRequest(`Conflicting required and forbidden traits found in the following traits keys: ${conflicts.sort().join(', ')}`);
    }
  }
  if (params.groupPolicy === undefined && groups.filter((g) => g.suffix !== '').length > 1) {
    throw badRequest('The "group_policy" parameter is required when specifying more than one "resources{N}" parameter.');
  }
  return {
    groups: groups.map((g) => ({ ...g, useSameProvider: g.suffix !== '' })),
    params: { ...params, nestedAware: atLeast(v, '1.29') },
  };
}

function requestWideParams(query: QueryParams, v: Version): Omit<RequestParams, 'nestedAware'> {
  const limits = query.getAll('limit');
  const limit = limits.length > 0 ? Number(limits[0]) : undefined;
  const policies = query.getAll('group_policy');
  const groupPolicy = policies.length > 0 ? (policies[0] as 'none' | 'isolate') : undefined;
  let rootRequired: Set<string> | undefined;
  let rootForbidden: Set<string> | undefined;
  const roots = atLeast(v, '1.35') ? query.getAll('root_required') : [];
  if (roots.length > 1) throw badRequest("Query parameter 'root_required' may be specified only once.", CODES.ILLEGAL_DUPLICATE_QUERYPARAM);
  if (roots.length === 1) {
    const parsed = normalizeTraitsParam(roots[0]!, true, false);
    rootRequired = new Set(parsed.required.flat());
    rootForbidden = parsed.forbidden;
    const conflicts = [...rootRequired].filter((t) => rootForbidden!.has(t));
    if (conflicts.length > 0) {
      throw badRequest(`Conflicting required and forbidden traits found in root_required: ${conflicts.join(', ')}`, CODES.QUERYPARAM_BAD_VALUE);
    }
  }
  const sameSubtrees: Set<string>[] = [];
  for (const value of atLeast(v, '1.36') ? query.getAll('same_subtree') : []) {
    const suffixes = new Set(value.split(',').map((s) => s.trim()));
    if (suffixes.has('')) throw badRequest('Empty string (unsuffixed group) can not be specified in `same_subtree` ', CODES.QUERYPARAM_BAD_VALUE);
    sameSubtrees.push(suffixes);
  }
  return {
    ...(limit !== undefined ? { limit } : {}),
    ...(groupPolicy !== undefined ? { groupPolicy } : {}),
    ...(rootRequired !== undefined ? { rootRequired, rootForbidden: rootForbidden! } : {}),
    ...(sameSubtrees.length > 0 ? { sameSubtrees } : {}),
  };
}
