// The L3 agent (legacy routers in qrouter namespaces).
export { L3Agent, metadataProxyId, ROUTER_NAMESPACE_INFIX, type L3AgentOptions, type L3PluginClient } from './agent.js';
export { renderNatTable, renderNatChains, routerNatSpec, parseNatTableHash, applicableFloatingIps, NAT_TABLE_FAMILY, NAT_TABLE_NAME, METADATA_PROXY_PORT, type RouterNatSpec, type RenderedNat } from './nat-rules.js';
export { planRouterNamespace, applyRouterNamespace, diffAddresses, diffRoutes, type RouterNamespacePlan } from './router-namespace.js';
