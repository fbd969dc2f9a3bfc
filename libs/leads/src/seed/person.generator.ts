import { createHash } from 'node:crypto';
import {
  COMPANIES,
  FIRST_NAMES,
  JOB_TITLES,
  LAST_NAMES,
  REGIONS,
  SKILLS_BY_DEPARTMENT,
  type JobTitle,
  type Region,
} from './seed-vocabulary';
import type { LeadProfile } from '../lead-profile';

/** One row of the `person` table: a lead's profile as stored (the full name is derived, created_at defaulted). */
export type PersonSeedRow = Omit<LeadProfile, 'fullName'>;

/** mulberry32: a tiny, well-distributed 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Each person is a pure function of (seed, index): the uuid and the PRNG seed both come from
 * sha256(`person:${seed}:${index}`), so generating 30,000 people extends, rather than
 * reshuffles, the first 20,000 and re-seeding is idempotent.
 */
export function generatePeople(count: number, seed = 42): PersonSeedRow[] {
  return Array.from({ length: count }, (_, index) => generatePerson(seed, index));
}

const titlePicker = weighted(JOB_TITLES);
const regionPicker = weighted(REGIONS);

function generatePerson(seed: number, index: number): PersonSeedRow {
  const digest = createHash('sha256').update(`person:${seed}:${index}`).digest();
  const random = mulberry32(digest.readUInt32BE(16));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

  const firstName = pick(FIRST_NAMES);
  const lastName = pick(LAST_NAMES);
  const title = titlePicker(random());
  const region = regionPicker(random());
  const company = pick(COMPANIES);
  // Not everybody has a public profile; the providers use it when present.
  const linkedinUrl =
    random() < 0.85
      ? `https://www.linkedin.com/in/${slug(`${firstName}-${lastName}`)}-${digest.toString('hex', 20, 24)}`
      : null;

  return {
    id: uuidV4From(digest),
    firstName,
    lastName,
    jobTitle: title.title,
    seniority: pick(title.seniorities),
    department: title.department,
    skills: sample(SKILLS_BY_DEPARTMENT[title.department], 2 + Math.floor(random() * 5), random),
    country: region.country,
    state: region.state,
    city: pick(region.cities),
    companyName: company.name,
    companyDomain: company.domain,
    companyIndustry: company.industry,
    companyEmployeeSize: company.employeeSize,
    linkedinUrl,
  };
}

/** The first 16 bytes of a digest laid out as an RFC 4122 version-4 uuid. */
function uuidV4From(digest: Buffer): string {
  const bytes = Buffer.from(digest.subarray(0, 16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Up to `size` distinct items, in a random order (partial Fisher-Yates). */
function sample<T>(items: readonly T[], size: number, random: () => number): T[] {
  const pool = [...items];
  const count = Math.min(size, pool.length);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
}

/** Maps a uniform [0, 1) draw to an item with probability proportional to its weight. */
function weighted<T extends JobTitle | Region>(items: readonly T[]): (draw: number) => T {
  const cumulative: number[] = [];
  let sum = 0;
  for (const item of items) cumulative.push((sum += item.weight));
  return (draw) => {
    const target = draw * sum;
    const index = cumulative.findIndex((bound) => target < bound);
    return items[index === -1 ? items.length - 1 : index];
  };
}

/** ASCII, lower-case, hyphenated: "Chloé O'Brien" → "chloe-obrien". */
function slug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '')
    .replace(/-+/g, '-');
}
