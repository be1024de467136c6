// nova.utils.sanitize_hostname: a server's hostname from its display name — latin-1 only, spaces,
// underscores and dots become hyphens, anything else but word characters dropped, lower case,
// no leading/trailing '.' or '-', at most 63 characters; empty → the default ("Server-<uuid>").
export function sanitizeHostname(name: string, defaultName?: string): string {
  const truncate = (h: string): string => h.slice(0, 63);
  let h = [...name].filter((c) => c.codePointAt(0)! <= 0xff).join('');
  h = h.replace(/[ _.]/g, '-');
  h = h.replace(/[^\p{L}\p{N}_.-]+/gu, '');
  h = h.toLowerCase();
  h = h.replace(/^[.-]+|[.-]+$/g, '');
  if (h === '' && defaultName !== undefined) return truncate(defaultName);
  return truncate(h);
}
