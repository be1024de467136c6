// The format inspector's public face for the image API and store.
export type { DetectedFormat, FormatInspection } from './inspection.js';
export { formatMatchesDiskFormat } from './disk-format-match.js';
export { inspectFile } from './file-inspector.js';
export { StreamInspector } from './stream-inspector.js';
