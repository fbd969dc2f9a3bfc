import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { Role } from '../libs/auth/src';
import { CreditExpirySweepService, CreditLotsService, CreditsService } from '../libs/credits/src';
import { AlertDispatcher } from '../libs/credits/src/alerts/services/alert-dispatcher';
import { QueueName } from '../libs/enrichment/src';
import { auditOrg, expectLedgerConsistent } from './support/ledger';
import { subscribe } from './support/requests';
import { createTestApp, leadIds, resetState, TestApp, tokenFor, waitFor } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ALERTS = ['credits.low', 'credits.depleted', 'spend_limit.reached'];

interface Delivered {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

/**
 * Low-balance, depletion and spend-limit alerts, as a customer's receiver sees them. Emails
 * cost 5 credits. The enrichment queue is paused, so holds stay open and `available` moves only
 * when the test moves it; the webhook sweep is off, so a delivery proves the after-commit dispatch.
 */
describe('Credit alerts: org settings and the credits.low / credits.depleted / spend_limit.reached events', () => {
  let t: TestApp;
  let dispatcher: AlertDispatcher;
  const receivers: WebhookReceiver[] = [];
  let nextLead = 0;

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'true', RECOVERY_SWEEP_INTERVAL_MS: '3600000', WEBHOOK_BACKOFF_MS: '10' });
    await t.app.get<Queue>(getQueueToken(QueueName.ENRICHMENT)).pause(true);
    dispatcher = t.app.get(AlertDispatcher);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await resetState(t.config, t.dataSource);
    nextLead = 0;
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
  });

  const owner = (orgId: string) => tokenFor(t.config, { orgId, sub: 'owner_1', role: Role.OWNER });
  const member = (orgId: string, sub = 'user_test') => tokenFor(t.config, { orgId, sub });
  const settings = (orgId: string, token = owner(orgId)) => ({
    get: () => t.http().get('/api/v1/org/settings').set('Authorization', `Bearer ${token}`),
    put: (body: object) => t.http().put('/api/v1/org/settings').set('Authorization', `Bearer ${token}`).send(body),
  });
  const grant = (orgId: string, amount: number, expiresAt?: string) =>
    t
      .http()
      .post(`/api/v1/admin/orgs/${orgId}/credits`)
      .set('Authorization', `Bearer ${tokenFor(t.config, { orgId: 'org_ops', role: Role.ADMIN })}`)
      .send({ amount, source: 'manual', expiresAt })
      .expect(201);
  /** A batch of `leads` new leads (5 credits each), as `token`; answered with `status`. */
  const batch = async (token: string, leads: number, status = 201) => {
    // Taken before the await: concurrent callers get leads of their own.
    const offset = nextLead;
    nextLead += leads;
    const personIds = await leadIds(t.dataSource, leads, offset);
    return t
      .http()
      .post('/api/v1/operations/enrichment/batch')
      .set('Authorization', `Bearer ${token}`)
      .send({ personIds, field: 'emails' })
      .expect(status);
  };
  const available = async (orgId: string) => (await t.app.get(CreditsService).getBalance(orgId)).available;

  async function subscribed(orgId: string): Promise<WebhookReceiver> {
    const receiver = await subscribe(t, orgId, SECRET, ALERTS);
    receivers.push(receiver);
    return receiver;
  }

  /** The events stored for the org (they exist exactly when their change committed), oldest first. */
  const stored = async (orgId: string, type: string) => {
    const rows: { data: Record<string, unknown> }[] = await t.dataSource.query(
      'SELECT data FROM webhook_event WHERE org_id = $1 AND type = $2 ORDER BY created_at',
      [orgId, type],
    );
    return rows.map((row) => row.data);
  };
  const delivered = (receiver: WebhookReceiver, type: string): Delivered[] =>
    receiver.received.map((hook) => JSON.parse(hook.body) as Delivered).filter((event) => event.type === type);

  it('owners read and replace the settings; bad values are 400s; members get 403', async () => {
    const org = 'org_settings';
    expect((await settings(org).get().expect(200)).body).toEqual({ lowBalanceThreshold: null });
    expect((await settings(org).put({ lowBalanceThreshold: 250 }).expect(200)).body).toEqual({
      lowBalanceThreshold: 250,
    });
    expect((await settings(org).get().expect(200)).body).toEqual({ lowBalanceThreshold: 250 });
    expect((await settings('org_other').get().expect(200)).body).toEqual({ lowBalanceThreshold: null });
    expect((await settings(org).put({ lowBalanceThreshold: 0 }).expect(200)).body).toEqual({ lowBalanceThreshold: 0 });
    expect((await settings(org).put({ lowBalanceThreshold: null }).expect(200)).body).toEqual({
      lowBalanceThreshold: null,
    });

    for (const body of [
      {},
      { lowBalanceThreshold: -1 },
      { lowBalanceThreshold: 1.5 },
      { lowBalanceThreshold: '100' },
      { lowBalanceThreshold: 1e13 },
      { lowBalanceThreshold: 10, other: true },
    ]) {
      const res = await settings(org).put(body).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(JSON.stringify(res.body.error.details)).toMatch(/lowBalanceThreshold|other/);
    }
    const asMember = settings(org, member(org));
    expect((await asMember.get().expect(403)).body.error.code).toBe('FORBIDDEN');
    expect((await asMember.put({ lowBalanceThreshold: 5 }).expect(403)).body.error.code).toBe('FORBIDDEN');
    expect((await settings(org).get().expect(200)).body).toEqual({ lowBalanceThreshold: null });
  });

  it('one credits.low per crossing: none for further spending, re-armed by a grant above the threshold', async () => {
    const org = 'org_low';
    const hooks = await subscribed(org);
    const token = member(org);
    await grant(org, 100);
    await settings(org).put({ lowBalanceThreshold: 50 }).expect(200);
    expect(await stored(org, 'credits.low')).toEqual([]); // 100 is not below 50

    await batch(token, 5); // 75 left
    expect(await stored(org, 'credits.low')).toEqual([]);
    await batch(token, 6); // 45 left: crossed
    const first = { organizationId: org, available: 45, held: 55, threshold: 50 };
    expect(await stored(org, 'credits.low')).toEqual([first]);
    await batch(token, 2); // 35 left: still below, no second event
    await batch(token, 1); // 30
    expect(await stored(org, 'credits.low')).toEqual([first]);

    await grant(org, 100); // 130: at or above the threshold again, re-armed (nothing sent)
    expect(await stored(org, 'credits.low')).toEqual([first]);
    await batch(token, 16); // 50: not below
    expect(await stored(org, 'credits.low')).toEqual([first]);
    await batch(token, 1); // 45: the next crossing
    const second = { organizationId: org, available: 45, held: 155, threshold: 50 };
    expect(await stored(org, 'credits.low')).toEqual([first, second]);

    // Delivered promptly after the commit (the sweep is off), signed, once each.
    await waitFor(async () => delivered(hooks, 'credits.low').length === 2);
    expect(delivered(hooks, 'credits.low').map((event) => event.data)).toEqual([first, second]);
    expect(hooks.received.every((hook) => hook.verified)).toBe(true);
    expect(delivered(hooks, 'credits.depleted')).toEqual([]);
  });

  it('a threshold set above the balance alerts at once; lowering it under the balance re-arms', async () => {
    const org = 'org_threshold';
    await subscribed(org);
    await grant(org, 100);
    await settings(org).put({ lowBalanceThreshold: 500 }).expect(200);
    expect(await stored(org, 'credits.low')).toEqual([
      { organizationId: org, available: 100, held: 0, threshold: 500 },
    ]);
    await settings(org).put({ lowBalanceThreshold: 400 }).expect(200); // still low: told already
    expect(await stored(org, 'credits.low')).toHaveLength(1);
    await settings(org).put({ lowBalanceThreshold: 90 }).expect(200); // 100 ≥ 90: re-armed
    await batch(member(org), 3); // 85
    expect(await stored(org, 'credits.low')).toEqual([
      { organizationId: org, available: 100, held: 0, threshold: 500 },
      { organizationId: org, available: 85, held: 15, threshold: 90 },
    ]);
  });

  it('credits.depleted when available reaches 0, once; re-armed by a release, sent again at the next 0', async () => {
    const org = 'org_depleted';
    const hooks = await subscribed(org);
    const token = member(org);
    await grant(org, 50);
    const first = await batch(token, 10); // 0 left
    expect(await stored(org, 'credits.depleted')).toEqual([{ organizationId: org, available: 0, held: 50 }]);
    expect(await stored(org, 'credits.low')).toEqual([]); // no threshold set: no low-balance alert
    const refused = await batch(token, 1, 402);
    expect(refused.body.error.code).toBe('INSUFFICIENT_CREDITS');
    expect(await stored(org, 'credits.depleted')).toHaveLength(1);

    // Cancelling releases the held credits: above 0 again, re-armed.
    await t
      .http()
      .post(`/api/v1/operations/enrichment/operations/${first.headers['x-operation-id']}/cancel`)
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(await available(org)).toBe(50);
    await batch(token, 10);
    expect(await stored(org, 'credits.depleted')).toEqual([
      { organizationId: org, available: 0, held: 50 },
      { organizationId: org, available: 0, held: 50 },
    ]);
    await waitFor(async () => delivered(hooks, 'credits.depleted').length === 2);
    expectLedgerConsistent(await auditOrg(t.dataSource, org));
  });

  it('the expiry sweep crosses too: credits.low and credits.depleted when a grant expires', async () => {
    const org = 'org_expiry';
    const hooks = await subscribed(org);
    await grant(org, 70, new Date(Date.now() + 3_600_000).toISOString());
    await settings(org).put({ lowBalanceThreshold: 10 }).expect(200);
    await t.dataSource.query(`UPDATE credit_lot SET expires_at = now() - interval '1 second' WHERE org_id = $1`, [org]);
    const sweep = new CreditExpirySweepService(
      t.dataSource,
      t.config,
      t.app.get(CreditsService),
      t.app.get(CreditLotsService),
    );
    await sweep.sweep();
    expect(await stored(org, 'credits.low')).toEqual([{ organizationId: org, available: 0, held: 0, threshold: 10 }]);
    expect(await stored(org, 'credits.depleted')).toEqual([{ organizationId: org, available: 0, held: 0 }]);
    await waitFor(async () => hooks.received.length === 2);
  });

  it('spend_limit.reached once per limit and period: when a limit refuses a request, or a hold uses it up', async () => {
    const org = 'org_limit_alerts';
    const hooks = await subscribed(org);
    await grant(org, 1000);
    const create = (body: object) =>
      t
        .http()
        .post('/api/v1/spend-limits')
        .set('Authorization', `Bearer ${owner(org)}`)
        .send(body)
        .expect(201);
    const orgLimit = (await create({ scope: 'org', period: 'day', limit: 30 })).body;
    const alice = member(org, 'alice');

    await batch(alice, 4); // 20 of 30
    const refused = await batch(alice, 4, 402); // 40 > 30
    expect(refused.body.error).toMatchObject({ code: 'SPEND_LIMIT_EXCEEDED', details: { limitId: orgLimit.limitId } });
    await dispatcher.idle(); // the refusal's event is written after its transaction rolled back
    await batch(alice, 3, 402); // refused again, same period: no second event
    await batch(alice, 5, 402);
    await dispatcher.idle();
    const reachedByRefusal = {
      organizationId: org,
      limitId: orgLimit.limitId,
      scope: 'org',
      subjectId: null,
      period: 'day',
      limit: 30,
      spent: 20,
      resetsAt: orgLimit.resetsAt,
      reason: 'refused',
      required: 20,
    };
    expect(await stored(org, 'spend_limit.reached')).toEqual([reachedByRefusal]);
    expect(await available(org)).toBe(980); // the refused requests wrote nothing

    // A user's monthly limit used up exactly by a hold.
    const userLimit = (await create({ scope: 'user', subjectId: 'bob', period: 'month', limit: 10 })).body;
    const bob = member(org, 'bob');
    await batch(bob, 2); // org 30 of 30 too: that limit was reached already today
    await batch(bob, 1, 402);
    await dispatcher.idle();
    expect(await stored(org, 'spend_limit.reached')).toEqual([
      reachedByRefusal,
      {
        organizationId: org,
        limitId: userLimit.limitId,
        scope: 'user',
        subjectId: 'bob',
        period: 'month',
        limit: 10,
        spent: 10,
        resetsAt: userLimit.resetsAt,
        reason: 'exhausted',
        required: null,
      },
    ]);
    await waitFor(async () => delivered(hooks, 'spend_limit.reached').length === 2);
    expect(hooks.received.every((hook) => hook.verified)).toBe(true);
  });

  it('100 concurrent requests crossing the threshold give exactly one credits.low (and one credits.depleted)', async () => {
    const org = 'org_crowd';
    const hooks = await subscribed(org);
    await grant(org, 1000);
    await settings(org).put({ lowBalanceThreshold: 500 }).expect(200);
    const tokens = Array.from({ length: 100 }, (_, i) => member(org, `user_${i}`));
    await Promise.all(tokens.map((token) => batch(token, 2)));
    expect(await available(org)).toBe(0);
    const low = await stored(org, 'credits.low');
    expect(low).toHaveLength(1);
    expect(low[0]).toMatchObject({ organizationId: org, threshold: 500 });
    expect(Number(low[0].available)).toBeLessThan(500);
    expect(await stored(org, 'credits.depleted')).toEqual([{ organizationId: org, available: 0, held: 1000 }]);
    await waitFor(async () => hooks.received.length === 2);
    expect(hooks.received.map((hook) => (JSON.parse(hook.body) as Delivered).type).sort()).toEqual([
      'credits.depleted',
      'credits.low',
    ]);
  });
});
