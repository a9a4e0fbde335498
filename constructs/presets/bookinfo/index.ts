export * from './bookinfo-app';
export * from './bookinfo-spec';
export * from './bookinfo-split';
