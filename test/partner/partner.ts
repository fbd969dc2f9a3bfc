/**
 * A partner's program, written only against the types openapi-typescript generates from
 * /docs-json (`./api` is generated next to it by test/partner-client.e2e-spec.ts): no casts,
 * no `any`. It is type-checked with `tsc --strict`, then run against the app:
 *   BASE_URL=http://127.0.0.1:3000 API_TOKEN=<jwt or key> LEAD_IDS=<uuid>,<uuid> node partner.js
 * It prints one JSON line with what it saw.
 */
import createClient from 'openapi-fetch';
import type { paths } from './api';

async function main(): Promise<void> {
  const baseUrl = process.env.BASE_URL ?? 'http://localhost:3000';
  const leadIds = (process.env.LEAD_IDS ?? '').split(',').filter((id) => id !== '');
  const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${process.env.API_TOKEN ?? ''}` } });

  const bulk = await client.POST('/api/v1/operations/enrichment/bulk', {
    body: { selection: { mode: 'manual', includedIds: leadIds.slice(0, 2) }, field: 'emails' },
  });
  if (!bulk.data || !Array.isArray(bulk.data)) throw new Error(`bulk: ${bulk.response.status}`);
  const bulkIds = bulk.data.map((enrichment) => enrichment.entityId);

  const batch = await client.POST('/api/v1/operations/enrichment/batch', {
    body: { personIds: leadIds.slice(1, 3), field: 'phones' },
  });
  if (!batch.data || !Array.isArray(batch.data)) throw new Error(`batch: ${batch.response.status}`);
  const operationId = batch.response.headers.get('X-Operation-Id');

  const preview = await client.POST('/api/v1/operations/enrichment/batch', {
    params: { query: { dryRun: true } },
    body: { personIds: leadIds, field: 'emails' },
  });
  const requiredCredits = preview.data && !Array.isArray(preview.data) ? preview.data.requiredCredits : null;

  const polled = await client.POST('/api/v1/operations/enrichment/batch/query', {
    body: { tasks: bulkIds.map((entityId) => ({ entityId, field: 'emails' as const })) },
  });
  const statuses = (polled.data ?? []).map((enrichment) => enrichment.status);

  const person = await client.GET('/api/v1/operations/enrichment/{personId}', {
    params: { path: { personId: bulkIds[0] }, query: { field: 'emails' } },
  });
  const personStatus = person.data?.status ?? null;

  const balance = await client.GET('/api/v1/operations/credits/balance');
  const history = await client.GET('/api/v1/operations/credits/history', { params: { query: { limit: 2 } } });

  // Errors are typed per status: a 400 names the fields, a 402 says what is required and available.
  const unknown = await client.POST('/api/v1/operations/enrichment/batch', {
    body: { personIds: ['00000000-0000-4000-8000-000000000000'], field: 'emails' },
  });
  const unknownIdsField =
    unknown.error?.error.code === 'VALIDATION_ERROR' ? (unknown.error.error.details?.fields[0]?.field ?? null) : null;
  const tooMuch = await client.POST('/api/v1/operations/enrichment/bulk', {
    body: { selection: { mode: 'bulk', startIndex: 0, targetCount: 1000, filters: {} }, field: 'phones' },
  });
  let shortfall: { required: number; available: number } | null = null;
  if (tooMuch.response.status === 402 && tooMuch.error?.error.code === 'INSUFFICIENT_CREDITS') {
    shortfall = { required: tooMuch.error.error.details.required, available: tooMuch.error.error.details.available };
  }

  console.log(
    JSON.stringify({
      bulkIds,
      batchCount: batch.data.length,
      operationId,
      requiredCredits,
      statuses,
      personStatus,
      balance: balance.data?.balance ?? null,
      history: history.data
        ? { count: history.data.count, total: history.data.total, updatedAt: history.data.transactions[0]?.updatedAt }
        : null,
      unknownIdsField,
      shortfall,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
