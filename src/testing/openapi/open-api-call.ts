/** The API style of a request: RPC (action and flat parameters) or ROA (method and resource path). */
export type OpenApiStyle = 'RPC' | 'ROA';

/**
 * How a request was signed:
 * - `acs3`: `Authorization: ACS3-HMAC-SHA256 ...` (signature V3; the default of `@alicloud/openapi-client` and
 *   `@alicloud/openapi-core` for every style);
 * - `rpc-v1`: query `Signature` with `SignatureMethod=HMAC-SHA1` (those clients with `signatureAlgorithm: 'v2'`
 *   on RPC APIs, `@alicloud/rpc-client`, `@alicloud/credentials`' STS calls);
 * - `roa-v1`: `Authorization: acs <AccessKeyId>:<signature>` (those clients with `signatureAlgorithm: 'v2'` on
 *   ROA APIs);
 * - `oss-v1`: `Authorization: OSS <AccessKeyId>:<signature>` (and the other OSS signatures), as
 *   `@alicloud/oss20190517` sends through its OSS gateway; answered in OSS's XML dialect;
 * - `none`: no signature (only routes with `anonymous: true` accept it).
 */
export type OpenApiSignatureKind = 'acs3' | 'rpc-v1' | 'roa-v1' | 'oss-v1' | 'none';

/**
 * Which requests a handler answers:
 * - `{ action, version? }`: requests naming the action (`x-acs-action` header or `Action` parameter), any style;
 *   with `version`, only that API version (another version answers `InvalidVersion`);
 * - `{ method, path, query?, version? }`: ROA requests by HTTP method (`'*'` for any) and path: an exact path, a
 *   pattern with `:name` segments (`/clusters/:clusterId`, available as `call.pathParams.clusterId`), or a RegExp
 *   (named groups become `pathParams`); `query` also requires parameters (`true`: present with any value, a
 *   string: that value), e.g. OSS sub-resources: `{ method: 'GET', path: '/', query: { regions: true } }`. When
 *   several routes match, the one with the most `query` conditions wins.
 *
 * `anonymous: true` also accepts unsigned requests (APIs with `authType: 'Anonymous'`); signed ones are still
 * verified.
 */
export type OpenApiRoute =
  | { action: string; version?: string; anonymous?: boolean }
  | { method: string; path: string | RegExp; query?: Readonly<Record<string, string | true>>; version?: string; anonymous?: boolean };

/**
 * A secret-free view of one authenticated request, given to an {@link OpenApiHandler}. No signature,
 * AccessKeySecret or security token appears in it.
 */
export interface OpenApiCall {
  /** The RequestId of the answer (also in the request log). */
  readonly requestId: string;
  readonly style: OpenApiStyle;
  /** `x-acs-action` or the `Action` parameter, if the request named one. */
  readonly action: string | undefined;
  /** `x-acs-version` or the `Version` parameter, if the request named one. */
  readonly version: string | undefined;
  /** HTTP method, upper case. */
  readonly method: string;
  /** The decoded request path (`/` for RPC). */
  readonly path: string;
  /** Values of the route's `:name` segments or named groups. */
  readonly pathParams: Readonly<Record<string, string>>;
  /** Decoded query parameters, without the signature's own (`Signature`, `AccessKeyId`, `SecurityToken`, ...). */
  readonly query: Readonly<Record<string, string>>;
  /**
   * The request's parameters: the query and a form body together (what an RPC action reads), without the
   * signature's own and the common `Action`, `Version`, `Format`, `Timestamp`.
   */
  readonly params: Readonly<Record<string, string>>;
  /** The body: parsed JSON or form object by `content-type`, else the text; undefined when empty. */
  readonly body: unknown;
  /** Request headers by lower-case name, without `authorization` and security tokens. */
  readonly headers: Readonly<Record<string, string>>;
  /** The AccessKeyId that signed the request (undefined for an anonymous one). */
  readonly accessKeyId: string | undefined;
  /** Whether it was signed with STS credentials. */
  readonly sts: boolean;
  readonly signature: OpenApiSignatureKind;
}

/**
 * Answers a call: return a JSON-able body (sent as JSON with status 200; for OSS-signed requests an object
 * with one root key is sent as XML), a string (sent as is), `undefined` (204), or throw or return an
 * {@link OpenApiServiceError} for an error answer. May be async.
 */
export type OpenApiHandler = (call: OpenApiCall) => unknown;
