import { BULK, call, countWhere, finishScenario, HttpResult, leadIds, manual, token } from './support/harness';
import { ApiProcess, baseEnv, startApi, until } from './support/processes';
import { useScenarioProcesses } from './support/scenario-processes';
import { ScenarioTally } from './support/summary';

jest.setTimeout(180000);

const SUITE = 'idempotency-crash';
/** The line the API logs when FAULT_INJECT=idempotency-after-effect-hang stops it at the fault point. */
const HANGING = 'Injected fault at idempotency-after-effect: hanging';

/**
 * An Idempotency-Key must be completed in the same transaction as the effect it guards. The
 * API is made to fail (FAULT_INJECT=idempotency-after-effect) or to stop and be SIGKILLed
 * (…-hang) right after the effect committed, before the answer went out; the client's retry
 * with the same key, against a fresh API, must replay the first answer and the ledger must
 * show the grant once (and one operation record and hold for bulk).
 */
describe('Idempotency at the edge of a commit', () => {
  const suite = useScenarioProcesses();

  const admin = token('org_ops', { role: 'admin', sub: 'admin_rel_idem' });
  const grantRequest = (api: ApiProcess, org: string, key: string, tally: ScenarioTally) =>
    call(api.url, 'POST', `/api/v1/admin/orgs/${org}/credits`, {
      token: admin,
      json: { amount: 1000, source: 'manual', description: 'crash test' },
      headers: { 'idempotency-key': key },
      tally,
    });
  const bulkRequest = (api: ApiProcess, org: string, leads: string[], key: string, tally: ScenarioTally) =>
    call(api.url, 'POST', BULK, {
      token: token(org),
      json: manual(leads),
      headers: { 'idempotency-key': key },
      tally,
    });

  function expectReplay(res: HttpResult): void {
    expect(res.status).toBe(201);
    expect(res.headers.get('idempotent-replayed')).toBe('true');
  }

  async function ledgerCounts(org: string) {
    const grants = await countRows(`credit_transaction WHERE org_id = $1 AND type = 'credit_added'`, org);
    const holds = await countRows(`credit_transaction WHERE org_id = $1 AND type = 'credit_reserved'`, org);
    const operations = await countRows('enrichment_operation WHERE org_id = $1', org);
    return { grants, holds, operations };
  }
  async function countRows(from: string, org: string): Promise<number> {
    const { rows } = await suite.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${from}`, [org]);
    return Number(rows[0].n);
  }

  it('a failure right after the effect committed: the retry replays (one grant, one operation)', async () => {
    const tally = new ScenarioTally(SUITE, 'failure after the effect committed, then a retry with the same key');
    const org = 'org_rel_idem_fail';
    const env = baseEnv(suite.redis.url);
    const faulty = await startApi({ ...env, FAULT_INJECT: 'idempotency-after-effect' }, { name: 'api-faulty' });
    const leads = await leadIds(suite.db, 5, 2700);

    expect((await grantRequest(faulty, org, 'grant-fail-1', tally)).status).toBe(500);
    tally.faults += 1;
    expect((await bulkRequest(faulty, org, leads, 'bulk-fail-1', tally)).status).toBe(500);
    tally.faults += 1;
    await faulty.stop('SIGKILL');

    const api = await startApi(env);
    expectReplay(await grantRequest(api, org, 'grant-fail-1', tally));
    const replayed = await bulkRequest(api, org, leads, 'bulk-fail-1', tally);
    expectReplay(replayed);
    expect(replayed.headers.get('x-operation-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await ledgerCounts(org)).toEqual({ grants: 1, holds: 1, operations: 1 });
    const violations = await finishScenario(suite.db, tally, [org], {
      expected: { [org]: { granted: 1000, holds: 1 } },
    });
    expect(violations).toEqual([]);
  });

  it('SIGKILL right after the effect committed: the retry on a new API replays (one grant, one operation)', async () => {
    const tally = new ScenarioTally(SUITE, 'SIGKILL after the effect committed, then a retry with the same key');
    const org = 'org_rel_idem_kill';
    const env = baseEnv(suite.redis.url);
    const leads = await leadIds(suite.db, 5, 2710);

    for (const send of [
      (api: ApiProcess) => grantRequest(api, org, 'grant-kill-1', tally),
      (api: ApiProcess) => bulkRequest(api, org, leads, 'bulk-kill-1', tally),
    ]) {
      const doomed = await startApi({ ...env, FAULT_INJECT: 'idempotency-after-effect-hang' }, { name: 'api-doomed' });
      const pending = send(doomed);
      await until(
        'the API to stop at the fault point',
        async () => doomed.output.some((line) => line.includes(HANGING)),
        30000,
      );
      await doomed.stop('SIGKILL');
      tally.faults += 1;
      // The client saw the connection drop, not an answer.
      expect((await pending).status).not.toBe(201);
    }

    const api = await startApi(env);
    expectReplay(await grantRequest(api, org, 'grant-kill-1', tally));
    expectReplay(await bulkRequest(api, org, leads, 'bulk-kill-1', tally));
    expect(await ledgerCounts(org)).toEqual({ grants: 1, holds: 1, operations: 1 });
    expect(await countWhere(suite.db, 'org_id = $1', [org])).toBe(5);
    const violations = await finishScenario(suite.db, tally, [org], {
      expected: { [org]: { granted: 1000, holds: 1 } },
    });
    expect(violations).toEqual([]);
  });
});
