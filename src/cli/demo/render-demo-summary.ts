import { renderTable } from '../render-table.js';
import type { Style } from '../style.js';
import type { DemoResult } from './demo-result.js';

/** The demo's closing report: a two-column table of what happened and a one-line verdict. */
export function renderDemoSummary(result: DemoResult, style: Style): string[] {
  const { latency } = result;
  const rows: string[][] = [
    ['workload calls (put, get, list)', String(result.calls)],
    ['errors seen by the workload', String(result.errors)],
    ['key rotations (old key revoked at once)', String(result.rotations)],
    ['rotate events from the cache', String(result.rotateEvents)],
    ['KMS calls (GetSecretValue)', String(result.kmsCalls)],
    ['  of which injected 503s, retried', String(result.kmsFailuresInjected)],
    ['OSS rejections (InvalidAccessKeyId), retried', String(result.retries)],
    ['OSS requests', String(result.ossRequests)],
    ['objects stored, checked byte for byte', String(result.objectsStored)],
    ['latency p50', `${latency.p50Ms} ms`],
    ['latency p90', `${latency.p90Ms} ms`],
    ['latency p99', `${latency.p99Ms} ms`],
    ['latency max', `${latency.maxMs} ms`],
    ['workload time', `${(result.workloadMs / 1000).toFixed(1)} s`],
  ];
  const lines = renderTable(['summary', 'value'], rows);
  const verdict =
    result.errors === 0
      ? style.green(
          `OK: ${result.rotations} rotations with revocation, 0 errors for the workload, ` +
            `${result.kmsCalls} KMS calls in total for ${result.calls} calls.`,
        )
      : style.red(`FAILED: the workload saw ${result.errors} errors (${result.errorCodes.join(', ')}).`);
  return [...lines, '', verdict];
}
