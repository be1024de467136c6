// Nova's links (nova/api/openstack/common.py ViewBuilder): every resource carries a `self` link
// under /v2.1 and a version-less `bookmark` link; a page that is full gets a `next` link that
// repeats the query with `marker` set to the last item. When the client put its project id in
// the URL (/v2.1/{project_id}/flavors), the links carry it too.
import type { FastifyRequest } from 'fastify';
import { baseUrl } from '../../core/http/server.js';
import type { QueryValues } from './validation.js';

export interface Link { readonly rel: string; readonly href: string; readonly type?: string }

export class Links {
  constructor(private readonly request: FastifyRequest, private readonly urlProjectId: string | undefined) {}

  private get root(): string {
    return baseUrl(this.request);
  }

  private join(...parts: string[]): string {
    return [this.root, ...parts.filter((p) => p !== '').map((p) => p.replace(/^\/+|\/+$/g, ''))].join('/');
  }

  /** self + bookmark links of one resource. */
  resource(collection: string, id: string | number): Link[] {
    const project = this.urlProjectId ?? '';
    return [
      { rel: 'self', href: this.join('v2.1', project, collection, String(id)) },
      { rel: 'bookmark', href: this.join(project, collection, String(id)) },
    ];
  }

  /**
   * Nova's _get_collection_links: a `next` link when the page holds as many items as the page
   * size (the limit asked for, at most max_limit).
   */
  collection(collection: string, query: QueryValues, pageSize: number, count: number, lastId: string | undefined): Link[] {
    if (pageSize === 0 || count !== pageSize || lastId === undefined) return [];
    const params = new Map<string, string>();
    for (const key of Object.keys(query).sort()) {
      const value = query[key];
      if (value === undefined) continue;
      params.set(key, typeof value === 'string' ? value : value[value.length - 1] ?? '');
    }
    params.set('marker', lastId);
    const search = new URLSearchParams([...params.entries()]).toString();
    return [{ rel: 'next', href: `${this.join('v2.1', this.urlProjectId ?? '', collection)}?${search}` }];
  }
}
