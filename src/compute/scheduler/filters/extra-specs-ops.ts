// nova.scheduler.filters.extra_specs_ops.match: how a flavor extra spec requirement ("<in> ssd",
// ">= 4", "s== fast", "<or> a <or> b", or a plain value) matches a host's value.
const num = (s: string): number => {
  const n = Number(s);
  if (s.trim() === '' || Number.isNaN(n)) throw new Error('not a number');
  return n;
};

const OPS: Record<string, (value: string, arg: string, args: string[]) => boolean> = {
  '=': (x, y) => num(x) >= num(y),
  '<in>': (x, y) => x.includes(y),
  '<all-in>': (x, _y, all) => all.every((v) => x.includes(v)),
  '==': (x, y) => num(x) === num(y),
  '!=': (x, y) => num(x) !== num(y),
  '>=': (x, y) => num(x) >= num(y),
  '<=': (x, y) => num(x) <= num(y),
  's==': (x, y) => x === y,
  's!=': (x, y) => x !== y,
  's<': (x, y) => x < y,
  's<=': (x, y) => x <= y,
  's>': (x, y) => x > y,
  's>=': (x, y) => x >= y,
};

export function matchExtraSpec(value: string | undefined, req: string): boolean {
  const words = req.split(/\s+/).filter((w) => w !== '');
  const op = words.shift();
  const method = op !== undefined ? OPS[op] : undefined;
  if (op !== '<or>' && !method) return value === req;
  if (value === undefined) return false;
  if (op === '<or>') {
    // "<or> v1 <or> v2": every other word is a candidate value.
    for (let i = 0; i < words.length; i += 2) if (words[i] === value) return true;
    return false;
  }
  if (words.length === 0) return false;
  try {
    return method!(value, words[0]!, words);
  } catch {
    return false; // a non-numeric value against a numeric operator never matches
  }
}
