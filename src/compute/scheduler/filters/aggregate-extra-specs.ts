// AggregateInstanceExtraSpecsFilter: flavor extra specs scoped `aggregate_instance_extra_specs:`
// (or unscoped) must match the metadata of one of the host's aggregates. Other scopes
// (hw:, trait:, resources:, …) are not this filter's business.
import { matchExtraSpec } from './extra-specs-ops.js';
import type { HostFilter } from './filter.js';

const SCOPE = 'aggregate_instance_extra_specs';

export const aggregateInstanceExtraSpecsFilter: HostFilter = {
  name: 'AggregateInstanceExtraSpecsFilter',
  hostPasses: (host, { spec }) => {
    for (const [rawKey, req] of Object.entries(spec.flavor.extra_specs)) {
      const parts = rawKey.split(':');
      let key = rawKey;
      if (parts.length > 1) {
        if (parts[0] !== SCOPE) continue;
        key = parts.slice(1).join(':');
      }
      const values = host.aggregateMetadata.get(key);
      if (!values || values.length === 0) return false;
      if (!values.some((v) => matchExtraSpec(v, req))) return false;
    }
    return true;
  },
};
