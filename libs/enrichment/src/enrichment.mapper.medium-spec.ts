import { Client } from 'pg';
import { EnrichmentRow, enrichmentViewColumns } from './enrichment.mapper';

/**
 * The public timestamps are formatted by PostgreSQL (enrichmentViewColumns): they must be exactly
 * what the API wrote when it read them as Dates, `Date.toISOString()`, whatever the session's
 * time zone and however many microseconds the column holds.
 */
describe('enrichmentViewColumns timestamps (real PostgreSQL)', () => {
  let client: Client;

  beforeAll(async () => {
    const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/enrichment');
    url.pathname = '/postgres';
    client = new Client({ connectionString: url.toString() });
    await client.connect();
    await client.query(
      `CREATE TEMP TABLE enrichment (
         id uuid, created_at timestamptz, updated_at timestamptz, entity_id uuid, entity_type varchar, field varchar,
         status varchar, error text, created_by varchar, org_id varchar, global_enrichment_id uuid,
         credit_transaction_id uuid, data_found boolean)`,
    );
    await client.query(
      `INSERT INTO enrichment (id, created_at, updated_at)
       SELECT gen_random_uuid(), t, t + interval '1 microsecond'
         FROM unnest(ARRAY['2026-03-29 01:59:59.999999+00', '1999-12-31 23:00:00.0005+05:30', '2026-12-01 00:00:00+00',
                           '2026-06-30 23:59:59.123456-07']::timestamptz[] || now()) AS t`,
    );
  });
  afterAll(() => client?.end());

  it.each(['UTC', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham'])(
    'equal Date.toISOString() of the column with the session in %s, the table qualified or not',
    async (timeZone) => {
      await client.query(`SET TimeZone = '${timeZone}'`);
      for (const table of [undefined, 'e']) {
        const { rows } = await client.query<EnrichmentRow & { created: Date; updated: Date }>(
          `SELECT ${enrichmentViewColumns(table)}, e.created_at AS created, e.updated_at AS updated FROM enrichment e`,
        );
        expect(rows).toHaveLength(5);
        for (const row of rows) {
          expect(row.created_at).toBe(row.created.toISOString());
          expect(row.updated_at).toBe(row.updated.toISOString());
        }
      }
    },
  );
});
