/**
 * LocalOss: an in-memory OSS emulator that verifies signatures, for tests of code built on ali-oss.
 *
 * @packageDocumentation
 */
export { LocalOss } from './local-oss.js';
export type { LocalOssAddressing, LocalOssClientOptions, LocalOssObject, LocalOssOptions } from './local-oss.js';
export { LocalOssError } from './local-oss-error.js';
export { OssKeyRegistry } from './oss-key-registry.js';
export type { OssKeyInfo, OssKeyRegistration } from './oss-key-registry.js';
export { OssRequestLog } from './oss-request-log.js';
export type { OssRequestCounters, OssRequestRecord } from './oss-request-log.js';
export type { OssAuthKind } from './request-authenticator.js';
export type { OssObjectType } from './object-store.js';
export { OSS_ERRORS, OssServiceError } from './oss-service-error.js';
export type { OssErrorCode } from './oss-service-error.js';
