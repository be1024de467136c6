export { MetadataAgent, instanceIdSignature, forwardedAddress, INTERNAL_ERROR_MESSAGE, type MetadataAgentOptions, type MetadataClient } from './metadata-agent.js';
export { metadataProxyDaemon, type MetadataProxyOptions } from './proxy.js';
export { renderMetadataProxyConfig, ROUTER_ID_HEADER, NETWORK_ID_HEADER, type MetadataProxyConfigInput } from './proxy-config.js';
