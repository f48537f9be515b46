/**
 * The low-level request methods of Tea SDK clients that read the credential and send one request (with the
 * SDK's own network retries). `callApi` and every generated `xxxWithOptions` method hand off to exactly one of
 * them, so wrapping these five covers every API call: `@alicloud/openapi-client` 0.4.x and
 * `@alicloud/openapi-core` 1.x have all five, `@alicloud/rpc-client` 1.x only `doRequest`.
 */
export const TEA_REQUEST_METHODS: readonly string[] = Object.freeze([
  'doRPCRequest',
  'doROARequest',
  'doROARequestWithForm',
  'doRequest',
  'execute',
]);
