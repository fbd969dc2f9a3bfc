import type { DataSource } from 'typeorm';
import { generatePeople, type PersonSeedRow } from './person.generator';

const CHUNK_SIZE = 2000;

/** The lead ids the API contract's examples use: the first seeded people carry them, so the examples run as written. */
export const CONTRACT_EXAMPLE_LEAD_IDS = [
  '550e8400-e29b-41d4-a716-446655440001',
  '550e8400-e29b-41d4-a716-446655440002',
  '550e8400-e29b-41d4-a716-446655440003',
];

/** The demo population: the generated people, the first ones under the contract's example ids. */
export function demoPeople(count: number): PersonSeedRow[] {
  return generatePeople(count).map((person, index) =>
    index < CONTRACT_EXAMPLE_LEAD_IDS.length ? { ...person, id: CONTRACT_EXAMPLE_LEAD_IDS[index] } : person,
  );
}

/**
 * Inserts the deterministic demo population. Idempotent: rows are keyed by their generated
 * uuid and existing ones are left alone, so running it on every start is harmless. Each chunk
 * is one INSERT ... SELECT FROM unnest(column arrays), which keeps 20,000 rows well under a
 * second instead of 20,000 round trips.
 */
export async function seedPeople(dataSource: DataSource, count = 20000): Promise<{ inserted: number; total: number }> {
  const people = demoPeople(count);
  let inserted = 0;
  for (let start = 0; start < people.length; start += CHUNK_SIZE) {
    inserted += await insertChunk(dataSource, people.slice(start, start + CHUNK_SIZE));
  }
  const [{ total }]: { total: number }[] = await dataSource.query(`SELECT count(*)::int AS total FROM person`);
  return { inserted, total };
}

async function insertChunk(dataSource: DataSource, rows: PersonSeedRow[]): Promise<number> {
  const column = <K extends keyof PersonSeedRow>(key: K): PersonSeedRow[K][] => rows.map((row) => row[key]);
  // unnest cannot take a ragged text[][], so each row's skills travel as a JSON array.
  const [{ inserted }]: { inserted: number }[] = await dataSource.query(
    `WITH ins AS (
       INSERT INTO person (id, first_name, last_name, job_title, seniority, department, skills, country, state, city,
                           company_name, company_domain, company_industry, company_employee_size, linkedin_url)
       SELECT id, first_name, last_name, job_title, seniority, department,
              ARRAY(SELECT jsonb_array_elements_text(skills)), country, state, city,
              company_name, company_domain, company_industry, company_employee_size, linkedin_url
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::text[],
                     $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::int[], $15::text[])
           AS r(id, first_name, last_name, job_title, seniority, department, skills, country, state, city,
                company_name, company_domain, company_industry, company_employee_size, linkedin_url)
       ON CONFLICT (id) DO NOTHING
       RETURNING 1
     )
     SELECT count(*)::int AS inserted FROM ins`,
    [
      column('id'),
      column('firstName'),
      column('lastName'),
      column('jobTitle'),
      column('seniority'),
      column('department'),
      rows.map((row) => JSON.stringify(row.skills)),
      column('country'),
      column('state'),
      column('city'),
      column('companyName'),
      column('companyDomain'),
      column('companyIndustry'),
      column('companyEmployeeSize'),
      column('linkedinUrl'),
    ],
  );
  return inserted;
}
