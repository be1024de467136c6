// Keystone's tag filters on list calls: ?tags=a,b (all), tags-any, not-tags, not-tags-any.
import type { TagFilters } from '../domain/project-list.js';
import { queryValue, type Query } from './helpers.js';

function list(query: Query, key: string): string[] | undefined {
  const value = queryValue(query, key);
  return value === undefined ? undefined : value.split(',').filter((t) => t !== '');
}

export function tagFilters(query: Query): TagFilters {
  const f: { -readonly [K in keyof TagFilters]: TagFilters[K] } = {};
  const tags = list(query, 'tags');
  if (tags) f.tags = tags;
  const tagsAny = list(query, 'tags-any');
  if (tagsAny) f.tagsAny = tagsAny;
  const notTags = list(query, 'not-tags');
  if (notTags) f.notTags = notTags;
  const notTagsAny = list(query, 'not-tags-any');
  if (notTagsAny) f.notTagsAny = notTagsAny;
  return f;
}
