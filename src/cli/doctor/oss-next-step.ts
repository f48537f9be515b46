import { endpointParts } from './endpoint-parts.js';
import type { ProblemContext } from './problem-context.js';
import { classifyTransportFailure, type TransportFailure } from './transport-failure.js';

/**
 * What to do about a failed OSS check, chosen by what actually happened: no answer (the endpoint does not
 * fit where this host runs: internal vs public), refused, DNS, TLS, or OSS's answer about the key or bucket.
 */
export function ossNextStep(error: unknown, code: string, context: ProblemContext): string {
  const secret = context.secretName === undefined ? 'the secret' : `secret "${context.secretName}"`;
  const endpoint = context.endpoint ?? 'the OSS endpoint';
  const bucket = context.bucket ?? '';
  const { host } = endpointParts(endpoint);
  const internal = /-internal\./.test(host);
  const publicHost = host.replace('-internal.', '.');
  const timedOut =
    (internal
      ? `${host} is an internal OSS endpoint: it answers only from Alibaba Cloud hosts (ECS, containers) in the bucket's region. From anywhere else use the public endpoint ${publicHost}.`
      : `Check --endpoint: it must be the endpoint of the bucket's region (e.g. oss-cn-hangzhou.aliyuncs.com); from a VPC without internet access use that region's internal endpoint (oss-<region>-internal.aliyuncs.com).`) +
    ' Also check that a firewall, proxy or security group lets this host reach it on port 443 (https) or 80 (http).';

  switch (classifyTransportFailure(error)) {
    case 'connect-timeout':
    case 'no-answer':
    case 'timeout':
      return timedOut;
    case 'refused':
      return `${endpoint} refused the connection: the endpoint or its port is wrong. Use the bucket region's endpoint without a port, e.g. oss-cn-hangzhou.aliyuncs.com (or oss-cn-hangzhou-internal.aliyuncs.com from inside Alibaba Cloud).`;
    case 'dns':
      return `The endpoint does not resolve on this host: check the spelling of --endpoint (e.g. oss-cn-hangzhou.aliyuncs.com)${internal ? '; internal endpoints resolve only inside Alibaba Cloud' : ''}.`;
    case 'tls':
      return `This host does not trust the certificate of ${endpoint}: a TLS-inspecting proxy is in the way, or the system's CA store is incomplete; give Node the proxy's CA with NODE_EXTRA_CA_CERTS=FILE.`;
    case 'not-tls':
      return `${endpoint} does not speak HTTPS on that port: drop the port from --endpoint, or use http:// for a plain-HTTP endpoint.`;
    case 'closed':
      return `${endpoint} closed the connection without an answer: check --endpoint, and that no firewall or proxy on the path cuts the connection.`;
    case undefined:
      break;
  }
  switch (code) {
    case 'InvalidAccessKeyId':
      return `OSS does not accept the AccessKey in ${secret} (deleted or disabled in RAM): rotate the secret in KMS Secrets Manager, and check the RAM user belongs to the bucket's account.`;
    case 'SignatureDoesNotMatch':
      return `The AccessKeySecret in ${secret} does not match its AccessKeyId: rotate the secret in KMS Secrets Manager.`;
    case 'AccessDenied':
      return `The key works, but its RAM user may not read bucket "${bucket}": grant oss:GetObject on it (the check is a GET of a missing object).`;
    case 'NoSuchBucket':
      return `Bucket "${bucket}" does not exist at ${endpoint}: check --bucket and --endpoint (the bucket's region).`;
    default:
      return 'See the message; run again with --json for the error codes, and check the README section "What happens on rotation and outages".';
  }
}

const WHAT_HAPPENED: Readonly<Record<TransportFailure, string>> = {
  'connect-timeout': 'could not connect within the time limit',
  'no-answer': 'accepted the connection but sent no answer within the time limit',
  timeout: 'did not answer within the time limit',
  refused: 'refused the connection',
  dns: 'does not resolve',
  tls: 'has a certificate this host does not trust',
  'not-tls': 'does not speak TLS on that port',
  closed: 'closed the connection without an answer',
};

/**
 * A short message for a failed OSS call: what happened on the network in plain words, else the first
 * sentence of the ali-oss message (which also carries request details and advice meant for ali-oss users).
 */
export function ossProblemMessage(error: unknown, context: ProblemContext): string {
  const failure = classifyTransportFailure(error);
  const raw = error instanceof Error ? error.message : String(error);
  if (failure !== undefined) {
    const limit = context.timeoutMs === undefined ? '' : ` (${context.timeoutMs} ms)`;
    const detail = failure === 'tls' ? `: ${firstClause(raw)}` : '';
    return `OSS at ${context.endpoint ?? 'the endpoint'} ${WHAT_HAPPENED[failure]}${/time limit$/.test(WHAT_HAPPENED[failure]) ? limit : ''}${detail}`;
  }
  return firstClause(raw);
}

/** The text before ali-oss's appended request details (`, GET http...`, `(connected: ...)`) and advice. */
function firstClause(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.split(/, (?:GET|PUT|POST|HEAD|DELETE) |, please |\s+\(connected:/)[0] ?? line;
}
