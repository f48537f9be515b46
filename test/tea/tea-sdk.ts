import * as openApiClientModule from '@alicloud/openapi-client';
import * as openApiCoreModule from '@alicloud/openapi-core';
import * as kmsModule from '@alicloud/kms20160120';
import * as ossModule from '@alicloud/oss20190517';
import * as rpcClientModule from '@alicloud/rpc-client';
import * as stsModule from '@alicloud/sts20150401';
import { cjsDefaultExport } from '../../src/runtime/cjs-default-export.js';

// The real published clients, whichever way the test loader hands over their CommonJS exports: the generated
// class is the `default` export, the models are named exports (on the namespace, or on its `default`).
type DefaultExport<M> = M extends { default: infer D } ? (D extends { default: infer E } ? E : D) : never;

function named<M extends object>(module: M): M {
  const candidate = module as M & { default?: M };
  return (candidate.default !== undefined && typeof candidate.default === 'object' ? candidate.default : module) as M;
}

/** `@alicloud/sts20150401` 1.x, on `@alicloud/openapi-core` 1.x. */
export const Sts = cjsDefaultExport<DefaultExport<typeof stsModule>>(stsModule);
/** `@alicloud/oss20190517` 1.x, on `@alicloud/openapi-client` 0.4.x (through its OSS gateway, `execute`). */
export const Oss = cjsDefaultExport<DefaultExport<typeof ossModule>>(ossModule);
/** The models of the STS client. */
export const StsModels = 'AssumeRoleRequest' in stsModule ? (stsModule as typeof stsModule) : named(stsModule);
/** The models of the OSS client. */
export const OssModels = 'PutObjectRequest' in ossModule ? (ossModule as typeof ossModule) : named(ossModule);
/** openapi-core's Config (for openapi-core based clients). */
export const CoreConfig = ('$OpenApiUtil' in openApiCoreModule ? openApiCoreModule : named(openApiCoreModule)).$OpenApiUtil.Config;
/** openapi-client's Config and request models (for openapi-client based clients). */
export const OpenApiClientModels = 'Config' in openApiClientModule ? openApiClientModule : named(openApiClientModule);
/** `@alicloud/kms20160120` 1.x, on the legacy `@alicloud/rpc-client` 1.x (RPC V1 through its doRequest). */
export const Kms = cjsDefaultExport<DefaultExport<typeof kmsModule>>(kmsModule);
/** The models of the legacy KMS client. */
export const KmsModels = 'ListSecretsRequest' in kmsModule ? (kmsModule as typeof kmsModule) : named(kmsModule);
/** rpc-client's Config. */
export const RpcConfig = ('Config' in rpcClientModule ? rpcClientModule : named(rpcClientModule)).Config;
