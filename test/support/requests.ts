import { Role } from '../../libs/auth/src';
import { TestApp, tokenFor } from './test-app';
import { WebhookReceiver } from './webhook-receiver';

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

/**
 * Starts a webhook receiver and registers it as an endpoint of `orgId` with an owner's token
 * (201 expected); `events` narrows the subscription. The caller stops the receiver.
 */
export async function subscribe(
  t: TestApp,
  orgId: string,
  secret: string,
  events?: readonly string[],
): Promise<WebhookReceiver> {
  const receiver = await new WebhookReceiver(secret).start();
  await t
    .http()
    .post('/api/v1/webhooks')
    .set('Authorization', `Bearer ${tokenFor(t.config, { orgId, sub: `owner_${orgId}`, role: Role.OWNER })}`)
    .send({ url: receiver.url, secret, ...(events ? { events } : {}) })
    .expect(201);
  return receiver;
}
