import type { KmsAgentConfig, ProviderConfig } from '../config/provider-config.js';
import { KmsAgentSecretSource } from './agent/kms-agent-secret-source.js';
import { readClientKeyFileSync } from './dkms/client-key-loader.js';
import { DkmsSecretSource } from './dkms/dkms-secret-source.js';
import { FailoverSecretSource } from './failover/failover-secret-source.js';
import { OpenApiSecretSource } from './openapi/open-api-secret-source.js';
import type { SecretSource } from './secret-source.js';

/**
 * Builds the {@link SecretSource} a configuration describes: one source per KMS Agent
 * (`cache_client_kms_agent_config_info`, token auth), per DKMS instance (`cache_client_dkms_config_info`,
 * ClientKey auth) and per region (`cache_client_region_id`, RAM auth via `credentials_type`), in that order,
 * which is also the failover preference (the agent first: it spares KMS one call per process), grouped in a
 * {@link FailoverSecretSource} that retries with backoff within `fetch_timeout` per fetch and closes them all.
 * The group is the only retry layer: each source sends one request per try. Awaiting the result keeps the
 * process alive until it settles (`keepAlive`, default `true`).
 *
 * Reads and decrypts the ClientKey files (synchronously), so errors in them surface here as typed errors
 * naming the file.
 */
export function secretSourceFromConfig(config: ProviderConfig): SecretSource {
  const sources: SecretSource[] = [];
  for (const agent of config.kmsAgents) sources.push(kmsAgentSourceFromConfig(agent));
  for (const instance of config.dkmsInstances) {
    sources.push(
      new DkmsSecretSource({
        endpoint: instance.endpoint,
        regionId: instance.regionId,
        clientKey: readClientKeyFileSync(instance.clientKeyFile, instance.password),
        ...(instance.caFilePath !== undefined && { caFilePath: instance.caFilePath }),
        ignoreSslCerts: instance.ignoreSslCerts,
        ...(instance.connectTimeoutMs !== undefined && { connectTimeoutMs: instance.connectTimeoutMs }),
        ...(instance.readTimeoutMs !== undefined && { readTimeoutMs: instance.readTimeoutMs }),
      }),
    );
  }
  for (const region of config.regions) {
    sources.push(
      new OpenApiSecretSource({
        regionId: region.regionId,
        ...(region.endpoint !== undefined && { endpoint: region.endpoint }),
        vpc: region.vpc,
        ...(region.caFilePath !== undefined && { caFilePath: region.caFilePath }),
        credentials: config.credentials ?? { type: 'default' },
      }),
    );
  }
  // Always a failover group, even of one: the one retry layer (backoff, throttle-aware pacing, failover) and the
  // owner of the overall deadline (`fetch_timeout`); each source sends exactly one request per call.
  return new FailoverSecretSource({ sources, deadlineMs: config.cache.fetchTimeoutMs });
}

/** The {@link KmsAgentSecretSource} of one `cache_client_kms_agent_config_info` entry (used by the doctor too). */
export function kmsAgentSourceFromConfig(agent: KmsAgentConfig): KmsAgentSecretSource {
  return new KmsAgentSecretSource({
    endpoint: agent.endpoint,
    allowNonLoopback: agent.allowNonLoopback,
    ...(agent.tokenFromFilePath === undefined ? {} : { tokenFromFilePath: agent.tokenFromFilePath }),
    ...(agent.tokenFromEnvVariable === undefined ? {} : { tokenFromEnvVariable: agent.tokenFromEnvVariable }),
    timeoutMs: agent.readTimeoutMs,
  });
}
