import { Role } from '../../libs/auth/src';
import { enrich, Enrichment } from './requests';
import { TestApp, tokenFor, waitFor } from './test-app';

type Field = 'emails' | 'phones';

export const adminToken = (t: TestApp) => tokenFor(t.config, { orgId: 'org_ops', sub: 'admin_dpo', role: Role.ADMIN });
export const ownerToken = (t: TestApp, orgId: string) =>
  tokenFor(t.config, { orgId, sub: `owner_${orgId}`, role: Role.OWNER });
export const memberToken = (t: TestApp, orgId: string) => tokenFor(t.config, { orgId });

export async function poll(t: TestApp, orgId: string, ids: string[], field: Field = 'emails'): Promise<Enrichment[]> {
  const res = await t
    .http()
    .post('/api/v1/operations/enrichment/batch/query')
    .set('Authorization', `Bearer ${memberToken(t, orgId)}`)
    .send({ tasks: ids.map((entityId) => ({ entityId, field })) })
    .expect(200);
  return res.body;
}

/** Enriches and waits until every enrichment is final. */
export async function enrichAndWait(
  t: TestApp,
  orgId: string,
  ids: string[],
  field: Field = 'emails',
): Promise<Enrichment[]> {
  await enrich(t, orgId, ids, field);
  return waitFor(async () => {
    const rows = await poll(t, orgId, ids, field);
    return rows.length === ids.length && rows.every((row) => ['finished', 'failed'].includes(row.status)) && rows;
  });
}

/** Leads the simulated providers find (emails or phones), with their stored values. */
export async function foundValues(t: TestApp, leadIds: string[], field = 'emails'): Promise<Map<string, string[]>> {
  const rows: { entity_id: string; values: string[] }[] = await t.dataSource.query(
    `SELECT entity_id, array(SELECT coalesce(v->>'address', v->>'number') FROM jsonb_array_elements(data->$2) v) AS values
       FROM global_enrichment WHERE field = $2 AND entity_id = ANY($1::uuid[])`,
    [leadIds, field],
  );
  return new Map(rows.map((row) => [row.entity_id, row.values]));
}

/** The lead search page (size 100, no filters) that shows this lead, as the org sees it. */
export async function searchPageWith(t: TestApp, orgId: string, leadId: string): Promise<unknown> {
  const [{ position }]: { position: number }[] = await t.dataSource.query(
    `SELECT count(*)::int AS position FROM person p, person me
      WHERE me.id = $1 AND (p.last_name, p.first_name, p.id) < (me.last_name, me.first_name, me.id)`,
    [leadId],
  );
  const res = await t
    .http()
    .post('/api/v1/leads/search')
    .set('Authorization', `Bearer ${memberToken(t, orgId)}`)
    .send({ filters: {}, page: Math.floor(position / 100), size: 100 })
    .expect(200);
  expect(JSON.stringify(res.body)).toContain(leadId);
  return res.body;
}
