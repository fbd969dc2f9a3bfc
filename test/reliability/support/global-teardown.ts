import { writeFileSync } from 'node:fs';
import { readScenarios, SUMMARY_FILE } from './summary';

/** Prints the run's figures and writes them to test-output/reliability-summary.json. */
export default async function reliabilityGlobalTeardown(): Promise<void> {
  const scenarios = readScenarios();
  const sum = (pick: (s: (typeof scenarios)[number]) => number) => scenarios.reduce((total, s) => total + pick(s), 0);
  const summary = {
    finishedAt: new Date().toISOString(),
    scenarios: scenarios.length,
    requests: sum((s) => s.requests),
    faultsInjected: sum((s) => s.faults),
    casesFuzzed: sum((s) => s.fuzzCases),
    violations: sum((s) => s.violations.length),
    durationMs: sum((s) => s.durationMs),
    perScenario: scenarios.map((s) => ({
      scenario: `${s.suite} › ${s.scenario}`,
      requests: s.requests,
      faults: s.faults,
      fuzzCases: s.fuzzCases,
      violations: s.violations.length,
      durationMs: s.durationMs,
      counts: s.counts,
      details: s.details,
    })),
    violationList: scenarios.flatMap((s) => s.violations.map((v) => ({ scenario: s.scenario, ...v }))),
  };
  writeFileSync(SUMMARY_FILE, `${JSON.stringify(summary, null, 2)}\n`);
  const rows = summary.perScenario.map(
    (s) =>
      `  ${s.scenario.padEnd(78)} ${String(s.requests).padStart(6)} req ${String(s.faults).padStart(4)} faults ` +
      `${String(s.fuzzCases).padStart(6)} fuzzed ${String(s.violations).padStart(3)} violations ${(s.durationMs / 1000).toFixed(1).padStart(6)} s`,
  );
  console.log(
    [
      '',
      'Reliability summary',
      ...rows,
      `  total: ${summary.scenarios} scenarios, ${summary.requests} requests, ${summary.faultsInjected} faults injected, ` +
        `${summary.casesFuzzed} cases fuzzed, ${summary.violations} violations`,
      `  written to ${SUMMARY_FILE}`,
      '',
    ].join('\n'),
  );
}
