// Progress lines for a benchmark run: stderr only, so stdout stays one JSON document.
export type BenchLog = (message: string) => void;

export const stderrLog: BenchLog = (message) => {
  process.stderr.write(`# ${message}\n`);
};
