import { endpointParts } from './endpoint-parts.js';
import type { ProblemContext } from './problem-context.js';
import { classifyTransportFailure } from './transport-failure.js';

/** OpenAPI codes that mean KMS did not accept the RAM identity's credentials (not a missing permission). */
const OPENAPI_CREDENTIAL_CODES = /^(InvalidAccessKeyId|SignatureDoesNotMatch|IncompleteSignature|InvalidSecurityToken)/;

/**
 * What to do about a failed GetSecretValue at a KMS instance (`dkms`) or the KMS OpenAPI (`openapi`),
 * chosen by what actually happened: no connection, no answer, refused, DNS, TLS, or the service's answer.
 */
export function kmsNextStep(error: unknown, code: string, context: ProblemContext): string {
  const secret = context.secretName === undefined ? 'the secret' : `secret "${context.secretName}"`;
  const endpoint = context.endpoint ?? 'the KMS endpoint';
  const instance = context.service !== 'openapi';
  const { host, port } = endpointParts(endpoint);
  const insideVpc = instance
    ? `A KMS instance endpoint answers only inside its VPC: run this on a host in that VPC (or a network connected to it), allow outbound TCP to port ${port} in the security group and network ACL, and check that ${port} is the instance's port (443).`
    : `From a VPC without internet access use the VPC endpoint (set "vpc": true, kms-vpc.<region>.aliyuncs.com); allow outbound TCP to port ${port} in the security group and network ACL.`;

  switch (classifyTransportFailure(error)) {
    case 'connect-timeout':
      return `Nothing at ${endpoint} completed a connection in time: the network path to it is blocked. ${insideVpc}`;
    case 'no-answer':
      return (
        `${endpoint} accepted the connection but never answered: something on the path (a proxy, NAT or firewall) ` +
        `takes the connection without passing it on. ${insideVpc} If KMS is only slow, raise readTimeout.`
      );
    case 'timeout':
      return `${endpoint} did not answer in time: the network path to it is blocked or drops packets. ${insideVpc}`;
    case 'refused':
      return (
        `${endpoint} refused the connection: the host or port in the endpoint is wrong, or the service is not running ` +
        `there. Copy the endpoint from the KMS console (${instance ? 'instance' : 'region'} details; port 443 unless stated).`
      );
    case 'dns':
      return `${host} does not resolve on this host: check the spelling of the endpoint${instance ? '; an instance endpoint resolves only through the DNS of its VPC' : ''}.`;
    case 'tls':
      return instance
        ? `Set caFilePath of this instance to its CA bundle (root and intermediate, from the KMS console); never turn on ignoreSslCerts in production.`
        : `Set caFilePath of this region entry to the CA bundle of ${endpoint} (needed for an instance gateway endpoint); without a custom endpoint, a TLS-inspecting proxy is in the way.`;
    case 'not-tls':
      return `${endpoint} does not speak HTTPS: the port is wrong (KMS listens on 443).`;
    case 'closed':
      return `${endpoint} closed the connection without an answer: check that the endpoint is a KMS ${instance ? 'instance' : 'endpoint'} and that no firewall or proxy on the path cuts the connection.`;
    case undefined:
      break;
  }

  const httpStatus = (error as { httpStatus?: unknown } | null)?.httpStatus;
  switch (code) {
    case 'Forbidden.ResourceNotFound':
    case 'Forbidden.SecretNotFound':
    case 'EntityNotExist.Secret':
      return `${secret} does not exist at ${endpoint}: check the name (--secret or secret_names) and that this instance or region holds it.`;
    case 'Forbidden.NoPermission':
    case 'Forbidden.RAM':
      return instance
        ? `Allow kms:GetSecretValue on ${secret} in the policy of the ClientKey's application access point.`
        : `Allow kms:GetSecretValue on ${secret} in the RAM policy of the identity of credentials_type.`;
    case 'Unauthorized':
    case 'Forbidden.KeyNotFound':
      return `${endpoint} does not know this ClientKey (deleted, or made for another instance): create a ClientKey for the application access point and configure it.`;
    case 'SignatureNotMatch':
      return `${endpoint} did not accept the ClientKey's signature: the ClientKey file does not match the key the instance holds for it; download the ClientKey again and configure it with its password file.`;
    case 'RequestTimeTooSkewed':
      return "This host's clock is more than 15 minutes off: synchronise it (NTP); KMS rejects requests with a skewed date.";
    case 'Rejected.Throttling':
    case 'ServiceUnavailableTemporary':
    case 'InternalFailure':
      return `KMS at ${endpoint} is throttling or failing: try again; if it persists, configure a second instance or region so the cache can fail over.`;
  }
  if (!instance && OPENAPI_CREDENTIAL_CODES.test(code)) {
    return `KMS did not accept the RAM credentials of credentials_type (${code}): check the AccessKey, role or token it configures, and that it is enabled.`;
  }
  if (httpStatus === 401 || httpStatus === 403) {
    return instance
      ? `KMS at ${endpoint} refused the ClientKey (HTTP ${httpStatus}): check that its application access point allows kms:GetSecretValue on ${secret} and that its network rules allow this host's address.`
      : `KMS at ${endpoint} refused the RAM identity (HTTP ${httpStatus}): check its credentials (credentials_type) and that its policy allows kms:GetSecretValue on ${secret}.`;
  }
  return 'See the message; run again with --json for the error codes, and check the README section "What happens on rotation and outages".';
}
