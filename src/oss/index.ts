export * from './ak-expire-handler.js';
export * from './oss-ak-expire-handler.js';
export * from './proxy-bucket.js';
export * from './proxy-bucket-error.js';
export type { AliOssExtraOptions, AliOssUndeclaredMethods } from './ali-oss-extras.js';
export * from './oss-bucket.js';
