// Query-string parsing shared by GET /resource_providers and GET /allocation_candidates
// (placement/util.py): resources=RC:N,…, required=T,!T / in:T1,T2, member_of=[!][in:]agg,…,
// in_tree=uuid. Each raises placement's 400 with placement's text.
import { badRequest } from './errors.js';
import { atLeast, type Version } from './microversion.js';
import { isUuidLike } from './uuid.js';

/** A parsed query string: every value of every key, in order (webob's MultiDict). */
export class QueryParams {
  readonly #entries: [string, string][];

  constructor(search: string) {
    this.#entries = [...new URLSearchParams(search)];
  }

  static fromUrl(url: string): QueryParams {
    const q = url.indexOf('?');
    return new QueryParams(q < 0 ? '' : url.slice(q + 1));
  }

  has(key: string): boolean {
    return this.#entries.some(([k]) => k === key);
  }

  /** The last value, as webob's dict(req.GET) keeps it. */
  get(key: string): string | undefined {
    let value: string | undefined;
    for (const [k, v] of this.#entries) if (k === key) value = v;
    return value;
  }

  getAll(key: string): string[] {
    return this.#entries.filter(([k]) => k === key).map(([, v]) => v);
  }

  /** Distinct keys in first-seen order. */
  keys(): string[] {
    return [...new Set(this.#entries.map(([k]) => k))];
  }

  /** dict(req.GET): one (the last) value per key, what the query schemas validate. */
  toDict(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.#entries) out[k] = v;
    return out;
  }
}

const RESOURCES_FORM = "Badly formed resources parameter. Expected resources query string parameter in form: ?resources=VCPU:2,MEMORY_MB:1024.";

/** Python's int() of a query value: optional sign and surrounding whitespace, digits. */
function pyInt(text: string): number | undefined {
  return /^\s*[+-]?\d+\s*$/.test(text) ? Number(text.trim()) : undefined;
}

/** `VCPU:2,MEMORY_MB:1024` → {VCPU: 2, MEMORY_MB: 1024} (a repeated class keeps the last). */
export function normalizeResources(qs: string): Map<string, number> {
  if (qs.trim() === '') throw badRequest(`${RESOURCES_FORM} Got: empty string.`);
  const result = new Map<string, number>();
  for (const rt of qs.split(',')) {
    const parts = rt.split(':');
    if (parts.length !== 2) throw badRequest(`${RESOURCES_FORM} Got: ${rt}.`);
    const [name, amountText] = parts as [string, string];
    const amount = pyInt(amountText);
    if (amount === undefined) throw badRequest(`Requested resource ${name} expected positive integer amount. Got: ${amountText}.`);
    if (amount < 1) throw badRequest(`Requested resource ${name} requires amount >= 1. Got: ${amount}.`);
    result.set(name, amount);
  }
  return result;
}

export interface TraitFilter {
  /** AND of ORs: [[A], [B, C]] means A and (B or C). */
  readonly required: string[][];
  readonly forbidden: Set<string>;
}

/** One `required` value: `T1,!T2` (forbidden from 1.22) or `in:T1,T2` (any-of, from 1.39). */
export function normalizeTraitsParam(val: string, allowForbidden: boolean, allowAnyTraits: boolean): TraitFilter {
  if (val.startsWith('in:')) {
    if (!allowAnyTraits) {
      throw badRequest(`Invalid query string parameters: The format 'in:HW_CPU_X86_VMX,CUSTOM_MAGIC' only supported since microversion 1.39. Got: ${val}`);
    }
    const anyTraits = [...new Set(val.slice(3).split(',').map((t) => t.trim()))];
    if (anyTraits.some((t) => t === '')) {
      throw badRequest(`Invalid query string parameters: Expected 'required' parameter value of the form: in:HW_CPU_X86_VMX,CUSTOM_MAGIC. Got an empty trait in: ${val}`);
    }
    if (anyTraits.some((t) => t.startsWith('!'))) {
      throw badRequest(`Invalid query string parameters: The format 'in:HW_CPU_X86_VMX,CUSTOM_MAGIC' does not support forbidden traits. Got: ${val}`);
    }
    return { required: [anyTraits], forbidden: new Set() };
  }
  const all = val.split(',').map((t) => t.trim());
  // As placement does (lstrip('!')), any number of leading '!' mark one forbidden trait.
  const forbidden = new Set(all.filter((t) => t.startsWith('!')).map((t) => t.replace(/^!+/, '')));
  if ([...forbidden, ...all].some((t) => t === '')) {
    const form = allowForbidden ? 'HW_CPU_X86_VMX,!CUSTOM_MAGIC' : 'HW_CPU_X86_VMX,CUSTOM_MAGIC';
    throw badRequest(`Invalid query string parameters: Expected 'required' parameter value of the form: ${form}. Got an empty trait in: ${val}`);
  }
  if (forbidden.size > 0 && !allowForbidden) {
    throw badRequest(`Invalid query string parameters: Expected 'required' parameter value of the form: HW_CPU_X86_VMX,CUSTOM_MAGIC. Got: ${val}`);
  }
  const required = [...new Set(all.filter((t) => !t.startsWith('!')))].map((t) => [t]);
  return { required, forbidden };
}

/** Every `required<suffix>` value: before 1.39 only the last one counts. */
export function normalizeTraitsParams(values: readonly string[], version: Version): TraitFilter {
  const allowForbidden = atLeast(version, '1.22');
  const allowAny = atLeast(version, '1.39');
  const chosen = allowAny ? values : values.slice(-1);
  const required: string[][] = [];
  const forbidden = new Set<string>();
  for (const value of chosen) {
    const one = normalizeTraitsParam(value, allowForbidden, allowAny);
    required.push(...one.required);
    for (const f of one.forbidden) forbidden.add(f);
  }
  return { required, forbidden };
}

export interface AggregateFilter {
  /** AND of ORs of aggregate uuids. */
  readonly required: string[][];
  /** None of these. */
  readonly forbidden: Set<string>;
}

/** One member_of value: `agg`, `in:a,b`, `!agg` or `!in:a,b`. */
export function normalizeMemberOfParam(value: string): { required: string[]; forbidden: string[] } {
  if (value.includes(',') && !(value.startsWith('in:') || value.startsWith('!in:'))) {
    throw badRequest(`Multiple values for 'member_of' must be prefixed with the 'in:' or '!in:' keyword using the valid microversion. Got: ${value}`);
  }
  let required: string[] = [];
  let forbidden: string[] = [];
  if (value.startsWith('!in:')) forbidden = value.slice(4).split(',');
  else if (value.startsWith('!')) forbidden = [value.slice(1)];
  else if (value.startsWith('in:')) required = value.slice(3).split(',');
  else required = [value];
  required = [...new Set(required)];
  forbidden = [...new Set(forbidden)];
  for (const agg of [...required, ...forbidden]) {
    if (!isUuidLike(agg)) {
      throw badRequest(`Invalid query string parameters: Expected 'member_of' parameter to contain valid UUID(s). Got: ${agg}`);
    }
  }
  return { required, forbidden };
}

/** Every `member_of<suffix>` value: several from 1.24, forbidden (`!`) from 1.32. */
export function normalizeMemberOfParams(values: readonly string[], version: Version, suffix = ''): AggregateFilter {
  if (!atLeast(version, '1.24') && values.length > 1) throw badRequest(`Multiple member_of${suffix} parameters are not supported`);
  const required: string[][] = [];
  const forbidden = new Set<string>();
  for (const value of values) {
    const one = normalizeMemberOfParam(value);
    if (one.required.length > 0) required.push(one.required);
    if (one.forbidden.length > 0) {
      if (!atLeast(version, '1.32')) throw badRequest(`Forbidden member_of${suffix} parameters are not supported in the specified microversion`);
      for (const f of one.forbidden) forbidden.add(f);
    }
  }
  return { required, forbidden };
}

export function normalizeInTree(value: string): string {
  const ret = value.trim();
  if (!isUuidLike(ret)) throw badRequest(`Invalid query string parameters: Expected 'in_tree' parameter to be a format of uuid. Got: ${value}`);
  return ret;
}
