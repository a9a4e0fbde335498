export * from './istio-mesh';
export * from './istio-remote';
export * from './multi-cluster-secret';
export * from './install-values';
export * from './tls-gateway';
export * from './mtls-namespace';
export * from './app-split';
export * from './bookinfo-split';
