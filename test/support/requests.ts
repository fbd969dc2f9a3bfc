import { Role } from '../../libs/auth/src';
import { TestApp, tokenFor } from './test-app';

/** The 13-key enrichment object of the contract, as far as the e2e specs read it. */
export interface Enrichment {
  id: string;
  entityId: string;
  status: string;
  dataFound: boolean | null;
  globalEnrichmentId: string | null;
  creditTransactionId: string | null;
  error: string | null;
}

/** An operator grants `orgId` credits over HTTP (201 expected). */
export async function grant(t: TestApp, orgId: string, amount: number): Promise<void> {
  await t
    .http()
    .post(`/api/v1/admin/orgs/${orgId}/credits`)
    .set('Authorization', `Bearer ${tokenFor(t.config, { orgId: 'org_ops', role: Role.ADMIN })}`)
    .send({ amount, source: 'manual' })
    .expect(201);
}

/** A member of `orgId` enriches the leads `ids` (bulk, manual mode; 201 expected). */
export async function enrich(
  t: TestApp,
  orgId: string,
  ids: string[],
  field: 'emails' | 'phones' = 'emails',
): Promise<Enrichment[]> {
  const res = await t
    .http()
    .post('/api/v1/operations/enrichment/bulk')
    .set('Authorization', `Bearer ${tokenFor(t.config, { orgId })}`)
    .send({ selection: { mode: 'manual', includedIds: ids }, field })
    .expect(201);
  return res.body;
}
