// Database-stored domain-specific configuration, with Keystone's semantics: PUT replaces the whole
// config, PATCH merges and may only touch groups/options that exist, sensitive options are stored
// but never shown, and anything outside the allow-list is refused with 403 (InvalidDomainConfig).
import type { Kysely } from 'kysely';
import { forbidden, notFound } from '../../core/errors.js';
import type { DomainConfigRow, IdentityDb } from '../db/schema.js';
import { isSensitive, isSupportedGroup, isSupportedOption, WHITELISTED } from './domain-config-options.js';

export type DomainConfig = Record<string, Record<string, unknown>>;

/** Nothing a token or the catalog says depends on this config, so writes bump no change counter. */
export interface ConfigDeps {
  readonly db: Kysely<IdentityDb>;
}

const invalid = (reason: string) => forbidden(`Invalid domain specific configuration: ${reason}.`);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(group?: string, option?: string): string {
  if (option) return `option ${option} in group ${group}`;
  return group ? `group ${group}` : 'any options';
}

const missing = (domainId: string, group?: string, option?: string) =>
  notFound(`Could not find ${describe(group, option)} in domain configuration for domain ${domainId}.`);

export function assertValidGroupAndOption(group?: string, option?: string): void {
  if (group !== undefined && !isSupportedGroup(group)) throw invalid(`Group ${group} is not supported for domain specific configurations`);
  if (group !== undefined && option !== undefined && !isSupportedOption(group, option)) {
    throw invalid(`Option ${option} in group ${group} is not supported for domain specific configurations`);
  }
}

export function assertValidConfig(config: unknown): DomainConfig {
  if (!isRecord(config) || Object.keys(config).length === 0) throw invalid('No options specified');
  for (const [group, options] of Object.entries(config)) {
    if (!isRecord(options) || Object.keys(options).length === 0) {
      throw invalid(`The value of group ${group} specified in the config should be a dictionary of options`);
    }
    for (const option of Object.keys(options)) assertValidGroupAndOption(group, option);
  }
  return config as DomainConfig;
}

async function rows(db: Kysely<IdentityDb>, domainId: string, group?: string, option?: string): Promise<DomainConfigRow[]> {
  let q = db.selectFrom('domain_config').selectAll().where('domain_id', '=', domainId);
  if (group !== undefined) q = q.where('group_name', '=', group);
  if (option !== undefined) q = q.where('option_name', '=', option);
  return q.orderBy('group_name').orderBy('option_name').execute();
}

function toConfig(list: readonly DomainConfigRow[]): DomainConfig {
  const config: DomainConfig = {};
  for (const r of list) (config[r.group_name] ??= {})[r.option_name] = JSON.parse(r.value) as unknown;
  return config;
}

async function upsert(tx: Kysely<IdentityDb>, domainId: string, config: DomainConfig): Promise<void> {
  for (const [group, options] of Object.entries(config)) {
    for (const [option, value] of Object.entries(options)) {
      await tx.deleteFrom('domain_config').where('domain_id', '=', domainId).where('group_name', '=', group).where('option_name', '=', option).execute();
      await tx.insertInto('domain_config').values({
        domain_id: domainId, group_name: group, option_name: option, value: JSON.stringify(value ?? null), sensitive: isSensitive(group, option) ? 1 : 0,
      }).execute();
    }
  }
}

/** The shown (non-sensitive) config; a single option comes back bare, as `{option: value}`. */
export async function getConfig(db: Kysely<IdentityDb>, domainId: string, group?: string, option?: string): Promise<Record<string, unknown>> {
  assertValidGroupAndOption(group, option);
  const shown = (await rows(db, domainId, group, option)).filter((r) => !r.sensitive);
  if (shown.length === 0) throw missing(domainId, group, option);
  return option !== undefined ? { [option]: JSON.parse(shown[0]!.value) as unknown } : toConfig(shown);
}

/** Replaces the whole config; `created` is false when one existed (Keystone answers 200, not 201). */
export async function createConfig(deps: ConfigDeps, domainId: string, body: unknown): Promise<{ config: DomainConfig; created: boolean }> {
  const config = assertValidConfig(body);
  const existed = (await rows(deps.db, domainId)).length > 0;
  await deps.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('domain_config').where('domain_id', '=', domainId).execute();
    await upsert(tx, domainId, config);
  });
  return { config: toConfig((await rows(deps.db, domainId)).filter((r) => !r.sensitive)), created: !existed };
}

/** Merges into the config; with a group (and option) the body must hold exactly that, and it must exist. */
export async function updateConfig(deps: ConfigDeps, domainId: string, body: unknown, group?: string, option?: string): Promise<Record<string, unknown>> {
  assertValidGroupAndOption(group, option);
  const config = assertValidConfig(group !== undefined && option !== undefined ? { [group]: body } : body);
  if (group !== undefined) {
    const options = config[group];
    if (Object.keys(config).length !== 1 || (option !== undefined && Object.keys(options ?? {}).length !== 1)) {
      throw invalid(option !== undefined
        ? `Trying to update option ${option} in group ${group}, so that, and only that, option must be specified  in the config`
        : `Trying to update group ${group}, so that, and only that, group must be specified in the config`);
    }
    if (!options) throw invalid(`request to update group ${group}, but config provided contains group ${Object.keys(config)[0]} instead`);
    if (option !== undefined && !(option in options)) {
      throw invalid(`Trying to update option ${option} in group ${group}, but config provided contains option ${Object.keys(options)[0]} instead`);
    }
    if ((await rows(deps.db, domainId, group, option)).length === 0) throw missing(domainId, group, option);
  }
  await deps.db.transaction().execute((tx) => upsert(tx, domainId, config));
  return getConfig(deps.db, domainId);
}

export async function deleteConfig(deps: ConfigDeps, domainId: string, group?: string, option?: string): Promise<void> {
  assertValidGroupAndOption(group, option);
  if (group !== undefined && (await rows(deps.db, domainId, group, option)).length === 0) throw missing(domainId, group, option);
  let q = deps.db.deleteFrom('domain_config').where('domain_id', '=', domainId);
  if (group !== undefined) q = q.where('group_name', '=', group);
  if (option !== undefined) q = q.where('option_name', '=', option);
  await q.execute();
}

/** The defaults of the allow-listed options (never of sensitive ones). */
export function defaultConfig(group?: string, option?: string): Record<string, unknown> {
  assertValidGroupAndOption(group, option);
  if (group !== undefined && option !== undefined) {
    const defaults = WHITELISTED[group]!;
    if (!Object.hasOwn(defaults, option)) throw invalid(`Reading the default for option ${option} in group ${group} is not supported`);
    return { [option]: defaults[option] };
  }
  const groups = group !== undefined ? [group] : Object.keys(WHITELISTED);
  return Object.fromEntries(groups.map((g) => [g, { ...WHITELISTED[g] }]));
}
