// The version documents (nova/api/openstack/compute/versions.py, versionsV21.py), served without
// a token: GET / lists v2.0 (SUPPORTED, the legacy API) and v2.1 (CURRENT, with its microversion
// range); GET /v2.1 and GET /v2 show one version. /v2.1 negotiates and echoes the microversion
// like every versioned path.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { baseUrl } from '../../core/http/server.js';
import type { ComputeDeps } from './deps.js';
import { assertNegotiated } from './microversion.js';

const DESCRIBED_BY = { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' };

interface VersionInfo {
  readonly id: 'v2.0' | 'v2.1';
  readonly status: string;
  readonly version: string;
  readonly min_version: string;
  readonly updated: string;
  readonly path: string;
  readonly mediaType: string;
}

function versions(deps: ComputeDeps): VersionInfo[] {
  return [
    { id: 'v2.0', status: 'SUPPORTED', version: '', min_version: '', updated: '2011-01-21T11:33:21Z', path: 'v2', mediaType: 'application/vnd.openstack.compute+json;version=2' },
    {
      id: 'v2.1', status: 'CURRENT', version: deps.versions.max.toString(), min_version: deps.versions.min.toString(),
      updated: '2013-07-23T11:33:21Z', path: 'v2.1', mediaType: 'application/vnd.openstack.compute+json;version=2.1',
    },
  ];
}

function document(request: FastifyRequest, info: VersionInfo): Record<string, unknown> {
  return {
    version: {
      id: info.id,
      status: info.status,
      version: info.version,
      min_version: info.min_version,
      updated: info.updated,
      links: [{ rel: 'self', href: `${baseUrl(request)}/${info.path}/` }, DESCRIBED_BY],
      'media-types': [{ base: 'application/json', type: info.mediaType }],
    },
  };
}

export function registerVersionRoutes(app: FastifyInstance, deps: ComputeDeps): void {
  app.get('/', async (request) => ({
    versions: versions(deps).map((v) => ({
      id: v.id, status: v.status, version: v.version, min_version: v.min_version, updated: v.updated,
      links: [{ rel: 'self', href: `${baseUrl(request)}/${v.path}/` }],
    })),
  }));
  const [v20, v21] = versions(deps) as [VersionInfo, VersionInfo];
  app.get('/v2.1', async (request) => {
    assertNegotiated(request);
    return document(request, v21);
  });
  app.get('/v2', async (request) => document(request, v20));
}
