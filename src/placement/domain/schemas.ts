// Placement's request schemas (placement/schemas/*.py), microversion by microversion. Property
// order follows placement's dictionaries, which decides which error is reported first.
import type { Schema } from './json-schema.js';

export const MAX_INT = 2147483647;
export const SQL_SP_FLOAT_MAX = 3.40282e+38;

const UUID_PATTERN = '^[0-9a-fA-F-]{36}$';
export const RC_PATTERN = '^[A-Z0-9_]+$';
export const CUSTOM_PATTERN = '^CUSTOM_[A-Z0-9_]+$';
const CONSUMER_TYPE_PATTERN = RC_PATTERN;
const CONSUMER_TYPE_GET_PATTERN = `${RC_PATTERN}|^all|^unknown$`;
export const GROUP_PAT = '[1-9][0-9]*';
export const GROUP_PAT_1_33 = '[a-zA-Z0-9_-]{1,64}';

const uuidString: Schema = { type: 'string', format: 'uuid' };

// --- resource providers -------------------------------------------------------------------

export const POST_RP: Schema = {
  type: 'object',
  properties: { name: { type: 'string', maxLength: 200 }, uuid: uuidString },
  required: ['name'],
  additionalProperties: false,
};

export const POST_RP_1_14: Schema = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 200 },
    uuid: uuidString,
    parent_provider_uuid: { anyOf: [uuidString, { type: 'null' }] },
  },
  required: ['name'],
  additionalProperties: false,
};

export const PUT_RP: Schema = {
  type: 'object',
  properties: { name: { type: 'string', maxLength: 200 } },
  required: ['name'],
  additionalProperties: false,
};

export const PUT_RP_1_14: Schema = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 200 },
    parent_provider_uuid: { anyOf: [uuidString, { type: 'null' }] },
  },
  required: ['name'],
  additionalProperties: false,
};

const RP_QUERY_1_0 = { name: { type: 'string' }, uuid: uuidString } as const;

export const GET_RPS_1_0: Schema = { type: 'object', properties: { ...RP_QUERY_1_0 }, additionalProperties: false };
export const GET_RPS_1_3: Schema = { type: 'object', properties: { ...RP_QUERY_1_0, member_of: { type: 'string' } }, additionalProperties: false };
export const GET_RPS_1_4: Schema = {
  type: 'object', properties: { ...RP_QUERY_1_0, member_of: { type: 'string' }, resources: { type: 'string' } }, additionalProperties: false,
};
export const GET_RPS_1_14: Schema = {
  type: 'object',
  properties: { ...RP_QUERY_1_0, member_of: { type: 'string' }, resources: { type: 'string' }, in_tree: uuidString },
  additionalProperties: false,
};
export const GET_RPS_1_18: Schema = {
  type: 'object',
  properties: { ...RP_QUERY_1_0, member_of: { type: 'string' }, resources: { type: 'string' }, in_tree: uuidString, required: { type: 'string' } },
  additionalProperties: false,
};

// --- inventories --------------------------------------------------------------------------

const INVENTORY_FIELDS: Readonly<Record<string, Schema>> = {
  resource_provider_generation: { type: 'integer' },
  total: { type: 'integer', maximum: MAX_INT, minimum: 1 },
  reserved: { type: 'integer', maximum: MAX_INT, minimum: 0 },
  min_unit: { type: 'integer', maximum: MAX_INT, minimum: 1 },
  max_unit: { type: 'integer', maximum: MAX_INT, minimum: 1 },
  step_size: { type: 'integer', maximum: MAX_INT, minimum: 1 },
  allocation_ratio: { type: 'number', maximum: SQL_SP_FLOAT_MAX },
};

export const BASE_INVENTORY: Schema = {
  type: 'object', properties: INVENTORY_FIELDS, required: ['total', 'resource_provider_generation'], additionalProperties: false,
};

export const POST_INVENTORY: Schema = {
  type: 'object',
  properties: { ...INVENTORY_FIELDS, resource_class: { type: 'string', pattern: RC_PATTERN } },
  required: ['total', 'resource_class'],
  additionalProperties: false,
};

const PUT_INVENTORY_RECORD: Schema = { type: 'object', properties: INVENTORY_FIELDS, required: ['total'], additionalProperties: false };

export const PUT_INVENTORIES: Schema = {
  type: 'object',
  properties: {
    resource_provider_generation: { type: 'integer' },
    inventories: { type: 'object', patternProperties: { [RC_PATTERN]: PUT_INVENTORY_RECORD } },
  },
  required: ['resource_provider_generation', 'inventories'],
  additionalProperties: false,
};

// --- resource classes and traits ------------------------------------------------------------

export const RESOURCE_CLASS_BODY: Schema = {
  type: 'object', properties: { name: { type: 'string', pattern: CUSTOM_PATTERN, maxLength: 255 } }, required: ['name'], additionalProperties: false,
};

export const CUSTOM_TRAIT: Schema = { type: 'string', minLength: 1, maxLength: 255, pattern: CUSTOM_PATTERN };

export const SET_TRAITS_FOR_RP: Schema = {
  type: 'object',
  properties: {
    traits: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 255 } },
    resource_provider_generation: { type: 'integer' },
  },
  required: ['traits', 'resource_provider_generation'],
  additionalProperties: false,
};

export const LIST_TRAITS_QUERY: Schema = {
  type: 'object', properties: { name: { type: 'string' }, associated: { type: 'string' } }, additionalProperties: false,
};

// --- aggregates -----------------------------------------------------------------------------

const AGGREGATE_LIST: Schema = { type: 'array', items: uuidString, uniqueItems: true };

export const PUT_AGGREGATES_1_1: Schema = AGGREGATE_LIST;
export const PUT_AGGREGATES_1_19: Schema = {
  type: 'object',
  properties: { aggregates: AGGREGATE_LIST, resource_provider_generation: { type: 'integer' } },
  required: ['aggregates', 'resource_provider_generation'],
  additionalProperties: false,
};

// --- allocations ----------------------------------------------------------------------------

const RESOURCES_MAP: Schema = {
  type: 'object', minProperties: 1, patternProperties: { [RC_PATTERN]: { type: 'integer', minimum: 1 } }, additionalProperties: false,
};

export const ALLOCATION_1_0: Schema = {
  type: 'object',
  properties: {
    allocations: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        properties: {
          resource_provider: { type: 'object', properties: { uuid: uuidString }, additionalProperties: false, required: ['uuid'] },
          resources: RESOURCES_MAP,
        },
        required: ['resource_provider', 'resources'],
        additionalProperties: false,
      },
    },
  },
  required: ['allocations'],
  additionalProperties: false,
};

const PROJECT_OR_USER: Schema = { type: 'string', minLength: 1, maxLength: 255 };

export const ALLOCATION_1_8: Schema = {
  type: 'object',
  properties: { ...ALLOCATION_1_0.properties, project_id: PROJECT_OR_USER, user_id: PROJECT_OR_USER },
  required: ['allocations', 'project_id', 'user_id'],
  additionalProperties: false,
};

function dictAllocations(minProperties: number): Schema {
  return {
    type: 'object',
    minProperties,
    patternProperties: {
      [UUID_PATTERN]: {
        type: 'object',
        properties: { generation: { type: 'integer' }, resources: RESOURCES_MAP },
        required: ['resources'],
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  };
}

export const ALLOCATION_1_12: Schema = {
  type: 'object',
  properties: { allocations: dictAllocations(1), project_id: PROJECT_OR_USER, user_id: PROJECT_OR_USER },
  additionalProperties: false,
  required: ['allocations', 'project_id', 'user_id'],
};

const DELETABLE: Schema = { ...ALLOCATION_1_12, properties: { ...ALLOCATION_1_12.properties, allocations: dictAllocations(0) } };

const CONSUMER_GENERATION: Schema = { type: ['integer', 'null'] };

export const ALLOCATION_1_28: Schema = {
  ...DELETABLE,
  properties: { ...DELETABLE.properties, consumer_generation: CONSUMER_GENERATION },
  required: ['allocations', 'project_id', 'user_id', 'consumer_generation'],
};

const MAPPINGS: Schema = {
  type: 'object',
  patternProperties: { [GROUP_PAT_1_33]: { type: 'array', minItems: 1, items: uuidString } },
};

export const ALLOCATION_1_34: Schema = { ...ALLOCATION_1_28, properties: { ...ALLOCATION_1_28.properties, mappings: MAPPINGS } };

export const ALLOCATION_1_38: Schema = {
  ...ALLOCATION_1_34,
  properties: { ...ALLOCATION_1_34.properties, consumer_type: { type: 'string', pattern: CONSUMER_TYPE_PATTERN, minLength: 1, maxLength: 255 } },
  required: ['allocations', 'project_id', 'user_id', 'consumer_generation', 'consumer_type'],
};

function postAllocations(perConsumer: Schema): Schema {
  return { type: 'object', minProperties: 1, additionalProperties: false, patternProperties: { [UUID_PATTERN]: perConsumer } };
}

export const POST_ALLOCATIONS_1_13 = postAllocations(DELETABLE);
export const POST_ALLOCATIONS_1_28 = postAllocations(ALLOCATION_1_28);
export const POST_ALLOCATIONS_1_34 = postAllocations(ALLOCATION_1_34);
export const POST_ALLOCATIONS_1_38 = postAllocations(ALLOCATION_1_38);

// --- usages ---------------------------------------------------------------------------------

export const GET_USAGES_1_9: Schema = {
  type: 'object', properties: { project_id: PROJECT_OR_USER, user_id: PROJECT_OR_USER }, required: ['project_id'], additionalProperties: false,
};

export const GET_USAGES_1_38: Schema = {
  ...GET_USAGES_1_9,
  properties: { ...GET_USAGES_1_9.properties, consumer_type: { type: 'string', pattern: CONSUMER_TYPE_GET_PATTERN, minLength: 1, maxLength: 255 } },
};

// --- allocation candidates ------------------------------------------------------------------

export const GET_CANDIDATES_1_10: Schema = { type: 'object', properties: { resources: { type: 'string' } }, required: ['resources'], additionalProperties: false };

const LIMIT: Schema = { type: ['integer', 'string'], pattern: '^[1-9][0-9]*$', minimum: 1, minLength: 1 };

export const GET_CANDIDATES_1_16: Schema = { ...GET_CANDIDATES_1_10, properties: { resources: { type: 'string' }, limit: LIMIT } };
export const GET_CANDIDATES_1_17: Schema = { ...GET_CANDIDATES_1_10, properties: { resources: { type: 'string' }, limit: LIMIT, required: { type: ['string'] } } };
export const GET_CANDIDATES_1_21: Schema = {
  ...GET_CANDIDATES_1_10, properties: { resources: { type: 'string' }, limit: LIMIT, required: { type: ['string'] }, member_of: { type: ['string'] } },
};

function groupedCandidates(groupPattern: string, inTree: boolean, extra: Readonly<Record<string, Schema>>): Schema {
  const keys = ['resources', 'required', 'member_of', ...(inTree ? ['in_tree'] : [])];
  return {
    type: 'object',
    properties: { limit: LIMIT, group_policy: { type: 'string', enum: ['none', 'isolate'] }, ...extra },
    additionalProperties: false,
    patternProperties: Object.fromEntries(keys.map((k) => [`^${k}(${groupPattern})?$`, { type: 'string' }])),
  };
}

export const GET_CANDIDATES_1_25 = groupedCandidates(GROUP_PAT, false, {});
export const GET_CANDIDATES_1_31 = groupedCandidates(GROUP_PAT, true, {});
export const GET_CANDIDATES_1_33 = groupedCandidates(GROUP_PAT_1_33, true, {});
export const GET_CANDIDATES_1_35 = groupedCandidates(GROUP_PAT_1_33, true, { root_required: { type: ['string'] } });
export const GET_CANDIDATES_1_36 = groupedCandidates(GROUP_PAT_1_33, true, { root_required: { type: ['string'] }, same_subtree: { type: ['string'] } });
