import { DEFAULT_KMS_AGENT_ENDPOINT, parseKmsAgentEndpoint } from '../kms/agent/kms-agent-endpoint.js';
import { ConfigError, ConfigErrorCode, describeLocation } from './config-error.js';
import { KMS_AGENT_ENTRY_FIELDS, entryFieldDefault } from './config-keys.js';
import { ENDPOINT_SHAPE, describeValue, expectBoolean, expectEnvVarName, expectInteger, expectString, invalid, resolvePath } from './config-values.js';
import type { ConfigWarning, KmsAgentConfig } from './provider-config.js';
import { optionalField, warnUnknownFields, type JsonObject } from './read-json-array.js';

const KEY = 'cache_client_kms_agent_config_info';

/**
 * Validates entry `index` of `cache_client_kms_agent_config_info` (a KMS Agent on this host): its endpoint
 * (loopback unless `allowNonLoopback`), at most one token source, and its timeout. The token itself is not
 * read here: the agent may write its token file after the application starts, so the source reads the
 * token at each request (and `doctor` checks it).
 */
export function readKmsAgent(entry: JsonObject, index: number, baseDir: string, warnings: ConfigWarning[]): KmsAgentConfig {
  warnUnknownFields(KEY, index, entry, KMS_AGENT_ENTRY_FIELDS, [], warnings);
  const at = (field: string) => ({ key: KEY, index, field });

  const endpointValue = optionalField(entry, 'endpoint') ?? DEFAULT_KMS_AGENT_ENDPOINT;
  const endpointText = expectString(endpointValue, at('endpoint'));
  const endpoint = parseKmsAgentEndpoint(endpointText);
  if ('problem' in endpoint) {
    throw invalid(at('endpoint'), `${endpoint.problem}, got ${describeValue(endpointValue, at('endpoint'), ENDPOINT_SHAPE)}`);
  }
  const allowValue = optionalField(entry, 'allowNonLoopback');
  const allowNonLoopback = allowValue === undefined ? false : expectBoolean(allowValue, at('allowNonLoopback'));
  if (!endpoint.loopback && !allowNonLoopback) {
    throw invalid(
      at('endpoint'),
      `is ${endpoint.host}, not a loopback address: the token and the secrets would cross the network in plain HTTP. ` +
        'Use 127.0.0.1:2025 (where the agent listens), or set "allowNonLoopback": true if the link is trusted',
    );
  }
  if (!endpoint.loopback) {
    warnings.push({
      code: 'InsecureTransport',
      key: KEY,
      index,
      message: `${KEY}[${index}] reaches the KMS Agent at ${endpoint.host}, not a loopback address: its token and the secrets cross the network in plain HTTP`,
    });
  }

  const fileValue = optionalField(entry, 'tokenFromFilePath');
  const envValue = optionalField(entry, 'tokenFromEnvVariable');
  if (fileValue !== undefined && envValue !== undefined) {
    throw new ConfigError(
      ConfigErrorCode.IncompatibleKeys,
      `${describeLocation(at('tokenFromFilePath'))} and tokenFromEnvVariable are both set; keep one`,
      at('tokenFromEnvVariable'),
    );
  }
  let tokenFromFilePath: string | undefined;
  if (fileValue !== undefined) {
    tokenFromFilePath = resolvePath(expectString(fileValue, at('tokenFromFilePath')), baseDir);
  }
  const tokenFromEnvVariable = envValue === undefined ? undefined : expectEnvVarName(envValue, at('tokenFromEnvVariable'));
  const timeoutValue = optionalField(entry, 'readTimeout');
  return {
    endpoint: endpoint.host,
    ...(tokenFromFilePath === undefined ? {} : { tokenFromFilePath }),
    ...(tokenFromEnvVariable === undefined ? {} : { tokenFromEnvVariable }),
    allowNonLoopback,
    readTimeoutMs:
      timeoutValue === undefined
        ? entryFieldDefault(KMS_AGENT_ENTRY_FIELDS, 'readTimeout')
        : expectInteger(timeoutValue, at('readTimeout'), 1),
  };
}

