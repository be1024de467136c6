// QEMU's own figures of each live migration, read from the all-in-one's JSON log lines: the source
// agent logs `guest moved to the destination` with downtimeMs / totalTimeMs / elapsedMs (info level).
export interface MigrationLogRecord {
  readonly instance: string;
  readonly downtimeMs: number;
  readonly totalTimeMs: number;
  readonly elapsedMs: number;
  readonly ramBytes: number;
}

const MESSAGE = 'guest moved to the destination';

export class MigrationLog {
  readonly records: MigrationLogRecord[] = [];

  /** For SandboxCloudOptions.onLine: keeps the lines of that message, ignores the rest. */
  readonly onLine = (line: string): void => {
    if (!line.includes(MESSAGE)) return;
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.msg !== MESSAGE) return;
      this.records.push({
        instance: String(entry.instance), downtimeMs: Number(entry.downtimeMs), totalTimeMs: Number(entry.totalTimeMs),
        elapsedMs: Number(entry.elapsedMs), ramBytes: Number(entry.ramBytes),
      });
    } catch { /* not a JSON line */ }
  };

  /** The last record of `instance`, once the log line came (it may trail the API's ACTIVE). */
  async last(instance: string, waitMs = 3000): Promise<MigrationLogRecord | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const found = this.records.filter((r) => r.instance === instance).at(-1);
      if (found || Date.now() > deadline) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
