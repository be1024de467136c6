// A strict reader for JSON policy files ({"name": "check" | [["check", ...], ...]}) that keeps
// line numbers: JSON.parse cannot say which line a bad rule is on.
import { PolicyFileError } from './errors.js';
import type { PolicyEntry } from './policy-file.js';

const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

export function parsePolicyJson(text: string, file: string): PolicyEntry[] {
  const r = new Reader(text, file);
  const entries: PolicyEntry[] = [];
  r.expect('{');
  if (!r.accept('}')) {
    do {
      const line = r.line();
      const name = r.string();
      r.expect(':');
      entries.push({ name, source: r.value(), line });
    } while (r.accept(','));
    r.expect('}');
  }
  r.expectEnd();
  return entries;
}

class Reader {
  #pos = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  value(): string | string[][] {
    this.#skipSpace();
    if (this.text[this.#pos] !== '[') return this.string();
    return this.#list(() => this.#list(() => this.string()));
  }

  string(): string {
    this.#skipSpace();
    STRING.lastIndex = this.#pos;
    const m = STRING.exec(this.text);
    if (m === null) throw this.#error('expected a double-quoted string');
    this.#pos += m[0].length;
    return JSON.parse(m[0]) as string;
  }

  accept(c: string): boolean {
    this.#skipSpace();
    if (this.text[this.#pos] !== c) return false;
    this.#pos++;
    return true;
  }

  expect(c: string): void {
    if (!this.accept(c)) throw this.#error(`expected "${c}"`);
  }

  expectEnd(): void {
    this.#skipSpace();
    if (this.#pos < this.text.length) throw this.#error('unexpected text after the policy object');
  }

  line(): number {
    this.#skipSpace();
    return lineAt(this.text, this.#pos);
  }

  #list<T>(item: () => T): T[] {
    this.expect('[');
    const items: T[] = [];
    if (this.accept(']')) return items;
    do items.push(item());
    while (this.accept(','));
    this.expect(']');
    return items;
  }

  #skipSpace(): void {
    while (/\s/.test(this.text[this.#pos] ?? '')) this.#pos++;
  }

  #error(detail: string): PolicyFileError {
    return new PolicyFileError(this.file, lineAt(this.text, this.#pos), `invalid JSON: ${detail}`);
  }
}

function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}
