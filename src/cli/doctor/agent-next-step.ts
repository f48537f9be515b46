import { KmsErrorCode } from '../../kms/kms-error.js';
import type { ProblemContext } from './problem-context.js';
import { classifyTransportFailure } from './transport-failure.js';

/**
 * What to do about a failed read through the KMS Agent, by the step that failed: the agent not reachable
 * (not running, not injected, wrong port), its token (not found, or not the one it was started with), or the
 * secret (unknown to KMS, not allowed to the agent's RAM identity, or an answer that is not ResponseType 0).
 */
export function agentNextStep(error: unknown, code: string, context: ProblemContext): string {
  const secret = context.secretName === undefined ? 'the secret' : `secret "${context.secretName}"`;
  const endpoint = context.endpoint ?? '127.0.0.1:2025';
  const failure = classifyTransportFailure(error);
  if (failure !== undefined) {
    return failure === 'refused'
      ? `Nothing listens at ${endpoint}: start the KMS Agent on this host (it listens on 127.0.0.1:2025 by default), or on ACK ` +
          'check that the agent sidecar was injected into this pod (ack-kms-agent-webhook-injector, the pod\'s injection label or annotation) ' +
          'and that the endpoint of cache_client_kms_agent_config_info names its port.'
      : `The KMS Agent at ${endpoint} did not answer in time (${failure}): check that it is running and not overloaded (its MaxConn), ` +
          'and raise readTimeout of the entry if it fetches from a slow KMS.';
  }
  switch (code) {
    case KmsErrorCode.AgentTokenUnavailable:
      return (
        'Give the application the token the agent was started with: set tokenFromFilePath of the entry to the file the agent writes ' +
        '(/var/run/kmstoken unless configured otherwise; mount it into the container), or tokenFromEnvVariable to a variable holding it.'
      );
    case KmsErrorCode.AgentTokenRefused:
      return (
        `The agent at ${endpoint} refused the token: it is not the one the agent uses (an agent that restarted writes a new token). ` +
        'Point tokenFromFilePath at the agent\'s current token file, or update the variable of tokenFromEnvVariable.'
      );
    case KmsErrorCode.SecretNotFound:
    case 'Forbidden.ResourceNotFound':
    case 'Forbidden.SecretNotFound':
      return `The agent does not serve ${secret}: check the name (--secret or secret_names) and that the KMS instance the agent reads from holds it.`;
    case 'Forbidden.NoPermission':
    case 'Forbidden.RAM':
      return `Allow kms:GetSecretValue on ${secret} to the RAM identity of the KMS Agent (its ECS role, RRSA role or AccessKey), not to this application.`;
    case KmsErrorCode.InvalidResponse:
      return `The agent at ${endpoint} does not answer in KMS's GetSecretValue form: set ResponseType to 0 in the agent's configuration.`;
  }
  return `The agent at ${endpoint} could not read ${secret} from KMS (${code}): see the agent's log; it authenticates to KMS with its own identity.`;
}
