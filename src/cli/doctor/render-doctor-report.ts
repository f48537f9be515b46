import { EXIT_DEGRADED } from '../exit-codes.js';
import { renderTable } from '../render-table.js';
import type { Style } from '../style.js';
import type { DoctorProblem, DoctorReport } from './doctor-report.js';

/** The doctor's report as text lines: settings, each check with ok/FAIL, and the next steps. */
export function renderDoctorReport(report: DoctorReport, style: Style): string[] {
  const lines: string[] = [style.bold('ali-oss-managed-credentials doctor'), ''];
  const ok = style.green('ok  ');
  const failed = style.red('FAIL');
  const skipped = style.yellow('skip');
  const problemLines = (problem: DoctorProblem) => [
    `        ${problem.code}: ${problem.message}`,
    `        ${style.yellow('next step:')} ${problem.nextStep}`,
  ];

  lines.push(`configuration: ${describeConfigSource(report)}`);
  if (report.settings.length > 0) {
    lines.push('');
    lines.push(...renderTable(['key', 'value', 'from'], report.settings.map((s) => [s.key, s.value, s.origin])).map((l) => `  ${l}`));
  }
  if (report.kmsAgents.length + report.dkmsInstances.length + report.regions.length > 0) lines.push('');
  for (const [index, agent] of report.kmsAgents.entries()) {
    lines.push(
      `  KMS Agent [${index}] ${agent.endpoint}: token from ${agent.tokenFrom}` +
        (agent.allowNonLoopback ? style.yellow(', non-loopback addresses allowed (plain HTTP)') : ''),
    );
  }
  for (const [index, instance] of report.dkmsInstances.entries()) {
    lines.push(
      `  KMS instance [${index}] ${instance.endpoint} (${instance.regionId}): ClientKey ${instance.clientKeyFile}, ` +
        `password from ${instance.passwordSource}` +
        (instance.caFilePath === undefined ? '' : `, CA ${instance.caFilePath}`) +
        (instance.ignoreSslCerts ? style.yellow(', TLS verification OFF') : ''),
    );
  }
  for (const [index, region] of report.regions.entries()) {
    lines.push(`  KMS region [${index}] ${region.regionId}${region.endpoint === undefined ? '' : ` at ${region.endpoint}`}${region.vpc ? ' (VPC)' : ''}`);
  }
  for (const warning of report.warnings) lines.push(`  ${style.yellow('warning:')} ${warning}`);
  // "Valid" only once every ClientKey opened with its password: a wrong password is a configuration failure.
  const entryProblems = [
    ...report.dkmsInstances.map((instance, index) => ({ what: `KMS instance [${index}] cannot be used`, problem: instance.problem })),
    ...report.regions.map((region, index) => ({ what: `KMS region [${index}] cannot be used`, problem: region.problem })),
  ].filter((entry): entry is { what: string; problem: DoctorProblem } => entry.problem !== undefined);
  if (report.configProblem !== undefined) {
    lines.push(`${failed} configuration`, ...problemLines(report.configProblem));
  } else if (entryProblems.length > 0) {
    for (const { what, problem } of entryProblems) lines.push(`${failed} configuration: ${what}`, ...problemLines(problem));
  } else {
    const keys = report.dkmsInstances.length;
    lines.push(`${ok} configuration loaded and valid${keys === 0 ? '' : keys === 1 ? ', ClientKey opened' : `, ${keys} ClientKeys opened`}`);
  }

  if (report.secretName !== undefined) {
    lines.push('', `secret: ${report.secretName}`);
    for (const check of report.sources) {
      if (check.ok) {
        const details = [
          `${check.latencyMs ?? '?'} ms`,
          `version ${check.versionId ?? '-'}`,
          check.accessKeyId === undefined ? undefined : `key ${check.accessKeyId}`,
          check.nextRotationDate === undefined ? 'no automatic rotation' : `next rotation ${check.nextRotationDate}`,
          check.agentSteps === undefined ? undefined : 'agent reachable, token accepted, secret served',
        ].filter((part) => part !== undefined);
        lines.push(`${ok} ${check.source}: ${details.join(', ')}`);
      } else if (check.skipped !== undefined) {
        lines.push(`${skipped} ${check.source}: not asked, ${check.skipped}`);
      } else if (check.latencyMs !== undefined) {
        // Fetched, but the value is not an AccessKey: the failure ProxyBucket would meet on its first call.
        const fetched = [`${check.latencyMs} ms`, `version ${check.versionId ?? '-'}`, check.secretType === undefined ? undefined : `type ${check.secretType}`];
        lines.push(`${failed} ${check.source}: ${fetched.filter((part) => part !== undefined).join(', ')}; the value is not a usable AccessKey`);
        if (check.problem) lines.push(...problemLines(check.problem));
      } else {
        lines.push(`${failed} ${check.source}${check.agentSteps === undefined ? '' : `: ${describeAgentSteps(check.agentSteps)}`}`);
        if (check.problem) lines.push(...problemLines(check.problem));
      }
    }
    lines.push(...failoverLines(report, { ok, failed, warn: style.yellow('warn') }));
  }
  if (report.oss !== undefined) {
    const { oss } = report;
    lines.push('', `OSS: GET ${oss.bucket}/${oss.objectName} at ${oss.endpoint}`);
    if (oss.ok) lines.push(`${ok} OSS accepted the key (answer: ${oss.answer ?? '-'})`);
    else {
      lines.push(`${failed} OSS check${oss.answer === undefined ? '' : ` (answer: ${oss.answer})`}`);
      if (oss.problem) lines.push(...problemLines(oss.problem));
    }
  }

  lines.push('');
  if (report.ok) lines.push(style.green('All checks passed.'));
  else {
    const summary =
      report.exitCode === EXIT_DEGRADED
        ? `The application works through failover, but ${report.nextSteps.length === 1 ? 'a check' : 'checks'} failed (exit ${report.exitCode}). Next steps:`
        : `${report.nextSteps.length === 1 ? 'A check' : 'Checks'} failed (exit ${report.exitCode}). Next steps:`;
    lines.push(report.exitCode === EXIT_DEGRADED ? style.yellow(summary) : style.red(summary));
    for (const [index, step] of report.nextSteps.entries()) lines.push(`  ${index + 1}. ${step}`);
  }
  return lines;
}

/** `reachable: yes, token accepted: no, secret served: no` (`not checked` for a step not reached). */
function describeAgentSteps(steps: NonNullable<DoctorReport['sources'][number]['agentSteps']>): string {
  const word = (value: boolean | undefined) => (value === undefined ? 'not checked' : value ? 'yes' : 'no');
  return `reachable: ${word(steps.reachable)}, token accepted: ${word(steps.tokenAccepted)}, secret served: ${word(steps.secretServed)}`;
}

/**
 * With several KMS sources, what failover makes of their results when not all work: the application reads
 * the secret through the first source that works, so N of M (N > 0) still works, without a spare.
 */
function failoverLines(report: DoctorReport, marks: { ok: string; failed: string; warn: string }): string[] {
  const counts = report.sourcesWorking;
  if (counts === undefined || counts.total < 2 || counts.working === counts.total) return [];
  const through = `works through ${counts.working} of ${counts.total} KMS sources`;
  if (counts.working === 0) return [`${marks.failed} ${through}: the application cannot read the secret`];
  return [
    `${marks.warn} ${through}: the application reads the secret through the first source that works (failover); ` +
      'fix the others to get the spare back',
  ];
}

/** The header's source of the configuration: the file (and what named it), whether or not it loaded. */
function describeConfigSource(report: DoctorReport): string {
  const file = report.configFile;
  if (file === undefined) return 'environment variables only';
  const namedBy = report.configFileNamedBy === undefined || report.configFileNamedBy === 'default' ? undefined : `named by ${report.configFileNamedBy}`;
  if (report.configFileFound === false) {
    // Settings exist only once loading worked: then, without the file, the environment held everything.
    if (report.settings.length > 0) return `environment variables only (no ${file})`;
    return `${file} (${[namedBy, 'not found'].filter((part) => part !== undefined).join('; ')})`;
  }
  return namedBy === undefined ? file : `${file} (${namedBy})`;
}
