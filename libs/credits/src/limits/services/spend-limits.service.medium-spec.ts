import { createThrowawayDatabase } from '@app/core/testing/throwaway-database';
import { AppConfig } from '@app/core';
import { DataSource } from 'typeorm';
import { CreditOperationType, CreditSource } from '../../credit.types';
import { CreditsService, SettlementOutcome } from '../../credits.service';
import { SpendLimitExceededException } from '../spend-limit-exceeded.exception';
import { SpendPeriod, SpendScope } from '../spend-limit.types';
import { SpendLimitsService } from './spend-limits.service';

const ENRICHMENTS = Array.from({ length: 4 }, (_, i) => `00000000-0000-4000-8000-00000000000${i}`);

describe('SpendLimitsService (PostgreSQL): API key scope and counters', () => {
  let dataSource: DataSource;
  let drop: () => Promise<void>;
  let limits: SpendLimitsService;
  let credits: CreditsService;

  beforeAll(async () => {
    ({ dataSource, drop } = await createThrowawayDatabase('spend_limits_spec'));
    limits = new SpendLimitsService(dataSource);
    credits = CreditsService.standalone(dataSource, Object.assign(new AppConfig(), { PRICE_EMAILS: 5 }));
  });
  afterAll(() => drop?.());

  // An API-key caller is the user `apikey:<id>` with `apiKeyId` set (how keys authenticate).
  const hold = (amount: number, apiKeyId: string | null) =>
    dataSource.transaction(async (manager) => {
      await credits.lockAccount(manager, 'org_k');
      const { holdId } = await credits.hold(manager, {
        orgId: 'org_k',
        amount,
        operationType: CreditOperationType.ENRICHMENT_EMAIL,
        referenceId: null,
        createdBy: apiKeyId ? `apikey:${apiKeyId}` : 'user_k',
        apiKeyId,
      });
      return holdId;
    });

  it("holds count against the key's limit only; a release gives the room back", async () => {
    await dataSource.transaction((manager) =>
      credits.grant(manager, { orgId: 'org_k', amount: 1000, source: CreditSource.MANUAL, createdBy: 'spec' }),
    );
    const limit = await limits.create({
      orgId: 'org_k',
      scope: SpendScope.API_KEY,
      subjectId: 'key_1',
      period: SpendPeriod.DAY,
      limit: 20,
      createdBy: 'owner',
    });
    const first = await hold(20, 'key_1');
    await expect(hold(5, 'key_1')).rejects.toBeInstanceOf(SpendLimitExceededException);
    await expect(hold(5, 'key_1')).rejects.toMatchObject({
      details: { limitId: limit.limitId, scope: 'api_key', subjectId: 'key_1', spent: 20, required: 5 },
    });
    await hold(100, 'key_2');
    await hold(100, null);

    await dataSource.transaction((manager) =>
      credits.settle(
        manager,
        [SettlementOutcome.CAPTURE, SettlementOutcome.RELEASE, SettlementOutcome.RELEASE].map((outcome, i) => ({
          orgId: 'org_k',
          holdId: first,
          enrichmentId: ENRICHMENTS[i],
          amount: 5,
          operationType: CreditOperationType.ENRICHMENT_EMAIL,
          outcome,
        })),
      ),
    );
    expect(await limits.list('org_k')).toEqual([expect.objectContaining({ spent: 10, remaining: 10 })]);
    await hold(10, 'key_1');
    await expect(hold(1, 'key_1')).rejects.toBeInstanceOf(SpendLimitExceededException);
    const counters: { scope: string; subject_id: string; period: string; spent: string }[] = await dataSource.query(
      `SELECT scope, subject_id, period, spent::int AS spent FROM spend_counter ORDER BY scope, subject_id, period`,
    );
    expect(counters).toEqual([
      { scope: 'api_key', subject_id: 'key_1', period: 'day', spent: 20 },
      { scope: 'api_key', subject_id: 'key_1', period: 'month', spent: 20 },
      { scope: 'api_key', subject_id: 'key_2', period: 'day', spent: 100 },
      { scope: 'api_key', subject_id: 'key_2', period: 'month', spent: 100 },
      { scope: 'org', subject_id: '', period: 'day', spent: 220 },
      { scope: 'org', subject_id: '', period: 'month', spent: 220 },
      { scope: 'user', subject_id: 'apikey:key_1', period: 'day', spent: 20 },
      { scope: 'user', subject_id: 'apikey:key_1', period: 'month', spent: 20 },
      { scope: 'user', subject_id: 'apikey:key_2', period: 'day', spent: 100 },
      { scope: 'user', subject_id: 'apikey:key_2', period: 'month', spent: 100 },
      { scope: 'user', subject_id: 'user_k', period: 'day', spent: 100 },
      { scope: 'user', subject_id: 'user_k', period: 'month', spent: 100 },
    ]);
  });
});
