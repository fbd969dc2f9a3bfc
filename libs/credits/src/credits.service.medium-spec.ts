import { createThrowawayDatabase } from '@app/core/testing/throwaway-database';
import { AppConfig } from '@app/core';
import { DataSource } from 'typeorm';
import { BalanceAlerts } from './alerts/balance-alerts';
import { CreditOperationType, CreditSource } from './credit.types';
import { CreditsService, SettlementOutcome } from './credits.service';
import { InsufficientCreditsException } from './credits.exceptions';
import { SpendLimitsService } from './limits/services/spend-limits.service';
import { SpendPeriod, SpendScope } from './limits/spend-limit.types';

const ENRICHMENTS = Array.from({ length: 4 }, (_, i) => `00000000-0000-4000-8000-00000000000${i}`);

const config = Object.assign(new AppConfig(), { PRICE_EMAILS: 5, PRICE_PHONES: 20 });

describe('CreditsService (PostgreSQL)', () => {
  let dataSource: DataSource;
  let drop: () => Promise<void>;
  let credits: CreditsService;

  beforeAll(async () => {
    ({ dataSource, drop } = await createThrowawayDatabase('credits_spec'));
    credits = CreditsService.standalone(dataSource, config);
  });
  afterAll(() => drop?.());
  beforeEach(() => dataSource.query('TRUNCATE credit_account, credit_transaction'));

  const grant = (orgId: string, amount: number, referenceId?: string) =>
    dataSource.transaction((manager) =>
      credits.grant(manager, { orgId, amount, source: CreditSource.MANUAL, referenceId, createdBy: 'spec' }),
    );

  const hold = (orgId: string, amount: number, service = credits) =>
    dataSource.transaction(async (manager) => {
      await service.lockAccount(manager, orgId);
      const { holdId } = await service.hold(manager, {
        orgId,
        amount,
        operationType: CreditOperationType.ENRICHMENT_EMAIL,
        referenceId: null,
        createdBy: 'spec',
      });
      return holdId;
    });

  const settle = (orgId: string, holdId: string, outcomes: SettlementOutcome[], service = credits) =>
    dataSource.transaction((manager) =>
      service.settle(
        manager,
        outcomes.map((outcome, i) => ({
          orgId,
          holdId,
          enrichmentId: ENRICHMENTS[i],
          amount: 5,
          operationType: CreditOperationType.ENRICHMENT_EMAIL,
          outcome,
        })),
      ),
    );

  it('prices per field from config', () => {
    expect(credits.priceOf('emails' as never)).toBe(5);
    expect(credits.priceOf('phones' as never)).toBe(20);
  });

  it('a hold moves credits from available to held; short of credits it throws 402 with required and available', async () => {
    await grant('org_a', 30);
    await hold('org_a', 20);
    expect(await credits.getBalance('org_a')).toEqual({ available: 10, held: 20 });
    await expect(hold('org_a', 15)).rejects.toEqual(new InsufficientCreditsException(15, 10));
    expect(await credits.getBalance('org_a')).toEqual({ available: 10, held: 20 });
  });

  it('a hold sends the SQL it is given in its own round trip, after the hold, and only when the hold goes through', async () => {
    await grant('org_then', 100);
    const request = {
      orgId: 'org_then',
      amount: 30,
      operationType: CreditOperationType.ENRICHMENT_EMAIL,
      referenceId: null,
      createdBy: 'spec',
    };
    // A function's statements take snapshots of their own: it sees what the hold wrote. (A plain
    // subquery would read the statement's snapshot, from before the hold: 100.)
    await dataSource.query(
      `CREATE OR REPLACE FUNCTION spec_available(p_org varchar) RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
       BEGIN RETURN (SELECT available FROM credit_account WHERE org_id = p_org); END $$`,
    );
    const held = await dataSource.transaction((manager) => credits.hold(manager, request, 'spec_available($1)'));
    expect(held).toEqual({ holdId: expect.any(String), followed: 70 });
    // Refused: the SQL (a function that raises) is never evaluated; the refusal is the answer.
    await dataSource.query(
      `CREATE OR REPLACE FUNCTION spec_raise() RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
       BEGIN RAISE EXCEPTION 'evaluated'; END $$`,
    );
    const refused = await dataSource
      .transaction((manager) => credits.hold(manager, { ...request, amount: 1000 }, 'spec_raise()'))
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InsufficientCreditsException);
  });

  it('settlement captures found shares, releases the rest, and a repeated settlement changes nothing', async () => {
    await grant('org_b', 100);
    const holdId = await hold('org_b', 20);
    const outcomes = [
      SettlementOutcome.CAPTURE,
      SettlementOutcome.RELEASE,
      SettlementOutcome.CAPTURE,
      SettlementOutcome.RELEASE,
    ];
    expect(await settle('org_b', holdId, outcomes)).toBe(4);
    expect(await credits.getBalance('org_b')).toEqual({ available: 90, held: 0 });
    // The same settlements again, even with the opposite outcome: already settled, nothing moves.
    expect(
      await settle(
        'org_b',
        holdId,
        outcomes.map(() => SettlementOutcome.RELEASE),
      ),
    ).toBe(0);
    expect(await credits.getBalance('org_b')).toEqual({ available: 90, held: 0 });
  });

  it('a grant with a reference is applied once', async () => {
    const first = await grant('org_c', 50, 'invoice-1');
    const again = await grant('org_c', 50, 'invoice-1');
    expect(again.transactionId).toBe(first.transactionId);
    expect(await credits.getBalance('org_c')).toEqual({ available: 50, held: 0 });
  });

  it('the ledger is append-only', async () => {
    await grant('org_d', 10);
    await expect(dataSource.query('UPDATE credit_transaction SET amount = 1000')).rejects.toThrow(/append-only/);
    await expect(dataSource.query('DELETE FROM credit_transaction')).rejects.toThrow(/append-only/);
  });

  // A request reads what it may reuse before it holds: the hold itself must take the lock.
  it('a hold takes the account lock itself, to the end of its transaction', async () => {
    await grant('org_lock', 10);
    const other = dataSource.createQueryRunner();
    await other.connect();
    try {
      await dataSource.transaction(async (manager) => {
        await credits.hold(manager, {
          orgId: 'org_lock',
          amount: 5,
          operationType: CreditOperationType.ENRICHMENT_EMAIL,
          referenceId: null,
          createdBy: 'spec',
        });
        await expect(
          other.query('SELECT 1 FROM credit_account WHERE org_id = $1 FOR UPDATE NOWAIT', ['org_lock']),
        ).rejects.toMatchObject({ driverError: { code: '55P03' } });
      });
    } finally {
      await other.release();
    }
  });

  // PostgreSQL before 18 parses and plans a LANGUAGE sql function's body on every call; plpgsql
  // keeps its statements' plans for the session. credit_expire_due as SQL cost every hold ~1.4 ms.
  it('the schema’s functions keep their plans between calls: none is LANGUAGE sql', async () => {
    const sqlFunctions: { proname: string }[] = await dataSource.query(
      `SELECT p.proname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
        WHERE p.pronamespace = 'public'::regnamespace AND l.lanname = 'sql'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')`,
    );
    expect(sqlFunctions.map((row) => row.proname)).toEqual([]);
  });

  describe('the alerts run only when credit_hold or credit_settle says they have something to do', () => {
    const alerts = {
      evaluate: jest.fn<Promise<void>, Parameters<BalanceAlerts['evaluate']>>(() => Promise.resolve()),
      limitsExhausted: jest.fn<Promise<void>, Parameters<BalanceAlerts['limitsExhausted']>>(() => Promise.resolve()),
      limitsRefused: jest.fn(),
    };
    let watched: CreditsService;
    let limits: SpendLimitsService;

    beforeAll(() => {
      limits = new SpendLimitsService(dataSource);
      watched = CreditsService.standalone(dataSource, config, alerts);
    });
    beforeEach(async () => {
      jest.clearAllMocks();
      await dataSource.query('TRUNCATE spend_limit, spend_counter');
    });

    const dayLimit = (orgId: string, limit: number) =>
      limits.create({
        orgId,
        scope: SpendScope.ORG,
        subjectId: null,
        period: SpendPeriod.DAY,
        limit,
        createdBy: 'spec',
      });

    it('nothing crossed: no alert statement at all', async () => {
      await grant('org_quiet', 100);
      await dayLimit('org_quiet', 50);
      const applicable = jest.spyOn(SpendLimitsService.prototype, 'applicable');
      await hold('org_quiet', 10, watched);
      expect(alerts.evaluate).not.toHaveBeenCalled();
      expect(alerts.limitsExhausted).not.toHaveBeenCalled();
      expect(applicable).not.toHaveBeenCalled();
      applicable.mockRestore();
    });

    it('a threshold crossed or the balance used up: the balance alerts are evaluated', async () => {
      await grant('org_low', 100);
      await dataSource.query(`UPDATE credit_account SET low_balance_threshold = 50 WHERE org_id = 'org_low'`);
      await hold('org_low', 60, watched);
      expect(alerts.evaluate).toHaveBeenCalledTimes(1);
      await grant('org_empty', 30);
      await hold('org_empty', 30, watched);
      expect(alerts.evaluate).toHaveBeenCalledTimes(2);
      expect(alerts.evaluate.mock.calls.map((call) => call[1])).toEqual([['org_low'], ['org_empty']]);
    });

    it('a limit used up exactly: limitsExhausted gets that limit, spent = limit', async () => {
      await grant('org_limit', 100);
      await dayLimit('org_limit', 30);
      await hold('org_limit', 20, watched);
      expect(alerts.limitsExhausted).not.toHaveBeenCalled();
      await hold('org_limit', 10, watched);
      expect(alerts.limitsExhausted).toHaveBeenCalledTimes(1);
      expect(alerts.limitsExhausted.mock.calls[0][2]).toEqual([expect.objectContaining({ limit: 30, spent: 30 })]);
      expect(alerts.evaluate).not.toHaveBeenCalled();
    });

    it('a settlement evaluates the balance alerts only when credit_settle finds a flag that no longer matches', async () => {
      await grant('org_settle', 100);
      await dataSource.query(`UPDATE credit_account SET low_balance_threshold = 50 WHERE org_id = 'org_settle'`);
      const first = await hold('org_settle', 20, watched);
      jest.clearAllMocks();
      // 80 available, over the threshold, no flag set: nothing to do.
      expect(await settle('org_settle', first, [SettlementOutcome.CAPTURE, SettlementOutcome.RELEASE], watched)).toBe(
        2,
      );
      expect(alerts.evaluate).not.toHaveBeenCalled();

      // Below the threshold and flagged as such (the alert went out): a capture changes nothing.
      const second = await hold('org_settle', 40, watched);
      await dataSource.query(`UPDATE credit_account SET low_balance_alerted = true WHERE org_id = 'org_settle'`);
      jest.clearAllMocks();
      expect(await settle('org_settle', second, [SettlementOutcome.CAPTURE], watched)).toBe(1);
      expect(alerts.evaluate).not.toHaveBeenCalled();

      // Releases lift the balance back over the threshold: the flag must be cleared.
      expect(
        await settle(
          'org_settle',
          second,
          [SettlementOutcome.CAPTURE, ...Array(3).fill(SettlementOutcome.RELEASE)],
          watched,
        ),
      ).toBe(3);
      expect(alerts.evaluate).toHaveBeenCalledTimes(1);
      expect(alerts.evaluate.mock.calls[0][1]).toEqual(['org_settle', 'org_settle', 'org_settle', 'org_settle']);
    });
  });
});
