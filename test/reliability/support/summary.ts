import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditCounts, Violation } from './auditor';

const OUTPUT = join(__dirname, '..', '..', '..', 'test-output');
/** One JSON line per finished scenario; the global teardown turns it into the summary. */
export const SCENARIO_LOG = join(OUTPUT, '.reliability-scenarios.jsonl');
export const SUMMARY_FILE = join(OUTPUT, 'reliability-summary.json');

export interface ScenarioResult {
  suite: string;
  scenario: string;
  /** HTTP requests sent to the API children. */
  requests: number;
  /** Kills, restarts, flushes, terminated backends, vendor failures. */
  faults: number;
  fuzzCases: number;
  violations: Violation[];
  counts?: AuditCounts;
  /** Scenario-specific figures (status codes seen, enrichments failed, ...). */
  details?: Record<string, unknown>;
  durationMs: number;
}

export function recordScenario(result: ScenarioResult): void {
  appendFileSync(SCENARIO_LOG, `${JSON.stringify(result)}\n`);
}

export function readScenarios(): ScenarioResult[] {
  if (!existsSync(SCENARIO_LOG)) return [];
  return readFileSync(SCENARIO_LOG, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ScenarioResult);
}

/** Tracks one scenario's figures; `finish` records them with the auditor's verdict. */
export class ScenarioTally {
  requests = 0;
  faults = 0;
  fuzzCases = 0;
  readonly details: Record<string, unknown> = {};
  /** Violations found mid-scenario (e.g. right after a shutdown), reported with the final audit's. */
  readonly earlierViolations: Violation[] = [];
  private readonly startedAt = Date.now();

  constructor(
    readonly suite: string,
    readonly scenario: string,
  ) {}

  finish(audit: { violations: Violation[]; counts?: AuditCounts }): ScenarioResult {
    const result: ScenarioResult = {
      suite: this.suite,
      scenario: this.scenario,
      requests: this.requests,
      faults: this.faults,
      fuzzCases: this.fuzzCases,
      violations: [...this.earlierViolations, ...audit.violations],
      counts: audit.counts,
      details: this.details,
      durationMs: Date.now() - this.startedAt,
    };
    recordScenario(result);
    return result;
  }
}
