// The nimbus-cirros test guest image (docs/guest-image.md).
export { buildGuestImage, GuestImageError, type GuestImage, type GuestImageOptions } from './build.js';
export { IMAGE_NAME } from './guest-files.js';
