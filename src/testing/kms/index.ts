export * from './local-kms.js';
export * from './local-kms-fault.js';
export * from './local-kms-request-record.js';
export * from '../openapi/acs3-signature.js';
export * from './local-sts.js';
