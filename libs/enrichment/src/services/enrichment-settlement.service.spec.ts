import { ContactField } from '@app/core';
import { CreditOperationType, CreditsService, Settlement, SettlementOutcome } from '@app/credits';
import type { WebhooksService } from '@app/webhooks';
import type { EntityManager } from 'typeorm';
import { EnrichmentSettlementService, SettledRow } from './enrichment-settlement.service';

/**
 * The settlement's mapping, without a database: which ledger settlements a set of ended rows
 * becomes, and that nothing is settled outside the accounts the transaction locked. The SQL
 * (and every caller going through here) is proven by the medium spec beside this one.
 */
describe('EnrichmentSettlementService', () => {
  const row = (id: string, orgId: string, field = ContactField.EMAILS, charge = 5): SettledRow => ({
    id,
    org_id: orgId,
    credit_transaction_id: `hold-${orgId}`,
    charge,
    field,
  });

  function setUp() {
    const settled: Settlement[][] = [];
    const locks: string[][] = [];
    const credits = {
      lockAccount: jest.fn((_manager: EntityManager, orgId: string) => {
        locks.push([orgId]);
        return Promise.resolve({ available: 0, held: 0 });
      }),
      lockAccounts: jest.fn((_manager: EntityManager, orgIds: readonly string[]) => {
        locks.push([...orgIds]);
        return Promise.resolve();
      }),
      settle: jest.fn((_manager: EntityManager, settlements: readonly Settlement[]) => {
        settled.push([...settlements]);
        return Promise.resolve(settlements.length);
      }),
      operationTypeOf: (field: ContactField) =>
        field === ContactField.EMAILS ? CreditOperationType.ENRICHMENT_EMAIL : CreditOperationType.ENRICHMENT_PHONE,
    };
    // No operation contains these rows: the completion step finds nothing to complete.
    const query = jest.fn().mockResolvedValue([]);
    // Prepared statements off (as with DATABASE_PREPARED_STATEMENTS=false): every statement is a query call.
    const manager = {
      query,
      connection: { options: { extra: { preparedStatements: false } } },
    } as unknown as EntityManager;
    const service = new EnrichmentSettlementService(
      credits as unknown as CreditsService,
      {} as unknown as WebhooksService,
    );
    return { service, credits, settled, locks, manager, query };
  }

  it('settles each row as its share of its hold, with the outcome the caller decides per row', async () => {
    const { service, settled, manager } = setUp();
    const locked = await service.lockAccounts(manager, ['org_b', 'org_a']);
    const rows = [row('e1', 'org_a'), row('e2', 'org_b', ContactField.PHONES, 20)];

    await service.settle(locked, rows, (r) => (r.id === 'e1' ? SettlementOutcome.CAPTURE : SettlementOutcome.RELEASE));

    expect(settled).toEqual([
      [
        {
          orgId: 'org_a',
          holdId: 'hold-org_a',
          enrichmentId: 'e1',
          amount: 5,
          operationType: CreditOperationType.ENRICHMENT_EMAIL,
          outcome: SettlementOutcome.CAPTURE,
        },
        {
          orgId: 'org_b',
          holdId: 'hold-org_b',
          enrichmentId: 'e2',
          amount: 20,
          operationType: CreditOperationType.ENRICHMENT_PHONE,
          outcome: SettlementOutcome.RELEASE,
        },
      ],
    ]);
  });

  it('looks for operations to complete from the settled enrichments, in the locked transaction', async () => {
    const { service, manager, query } = setUp();
    const locked = await service.lockAccount(manager, 'org_a');

    expect(await service.settle(locked, [row('e1', 'org_a')], SettlementOutcome.RELEASE)).toEqual([]);

    expect(query).toHaveBeenCalledWith(expect.stringContaining('FOR UPDATE OF o'), [['e1'], 'running']);
  });

  it('refuses rows of an org whose account was not locked, before anything is settled', async () => {
    const { service, settled, manager } = setUp();
    const locked = await service.lockAccount(manager, 'org_a');

    await expect(
      service.settle(locked, [row('e1', 'org_a'), row('e2', 'org_b')], SettlementOutcome.RELEASE),
    ).rejects.toThrow('Settling enrichment e2 without its org');
    expect(settled).toEqual([]);
  });

  it('settles nothing and completes nothing for no rows', async () => {
    const { service, credits, manager, query } = setUp();
    const locked = await service.lockAccounts(manager, []);

    expect(await service.settle(locked, [], SettlementOutcome.CAPTURE)).toEqual([]);
    expect(credits.settle).toHaveBeenCalledWith(manager, []);
    expect(query).not.toHaveBeenCalled();
  });
});
