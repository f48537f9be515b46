/**
 * The KMS Agent secret source (the official agent on the host or in the pod, `GET 127.0.0.1:2025/v1/<name>`).
 *
 * @packageDocumentation
 */
export * from './kms-agent-secret-source.js';
