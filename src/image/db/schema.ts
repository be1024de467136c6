// Row types of the image tables (filled in with the image API).
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface ImageDb {}
