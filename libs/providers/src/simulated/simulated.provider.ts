import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { type CountryCode, getExampleNumber, isValidPhoneNumber } from 'libphonenumber-js';
import examples from 'libphonenumber-js/mobile/examples';
import { AppConfig, ContactField } from '@app/core';
import { ProviderError } from '../provider.errors';
import type {
  EmailVerificationStatus,
  EnrichmentProvider,
  FoundContactData,
  FoundEmail,
  FoundPhone,
  LeadContext,
  PhoneType,
  ProviderAnswer,
} from '../provider.interface';

export interface SimulatedProviderOptions {
  name: string;
  field: ContactField;
  /** Share of leads the provider knows, in [0, 1]. */
  hitRate: number;
  /** Delay of every call (per batch, not per lead); 0 answers at once. */
  latencyMs: number;
  /** Probability that a call fails with a transient (retryable) error, in [0, 1]. */
  errorRate: number;
  maxBatchSize: number;
  /**
   * What the answers are derived from. Defaults to the name, so that each provider knows a
   * different set of leads; two providers with the same seed know the same leads.
   */
  seed?: string;
}

const VERIFICATION_STATUSES: readonly EmailVerificationStatus[] = ['verified', 'likely', 'unverified'];
const PHONE_TYPES: readonly PhoneType[] = ['mobile', 'direct', 'office'];

interface CountryNumbering {
  /** The country whose example number stands in when no drawn number is valid. */
  country: CountryCode;
  callingCode: string;
  /** Digits of the national significant number (without trunk prefix). */
  nationalDigits: number;
  /** First digit of mobile numbers, where mobiles have their own range. */
  mobilePrefix?: string;
}

const NANP: CountryNumbering = { country: 'US', callingCode: '1', nationalDigits: 10 };

/** Keys are country names and codes reduced to lower-case letters (see `letters`). */
const NUMBERING: ReadonlyMap<string, CountryNumbering> = new Map(
  (
    [
      [['unitedstates', 'unitedstatesofamerica', 'usa', 'us'], NANP],
      [['canada', 'ca'], NANP],
      [
        ['unitedkingdom', 'uk', 'gb', 'greatbritain', 'england', 'scotland', 'wales'],
        { country: 'GB', callingCode: '44', nationalDigits: 10, mobilePrefix: '7' },
      ],
      [['germany', 'deutschland', 'de'], { country: 'DE', callingCode: '49', nationalDigits: 10, mobilePrefix: '1' }],
      [['france', 'fr'], { country: 'FR', callingCode: '33', nationalDigits: 9, mobilePrefix: '6' }],
      [['india', 'in'], { country: 'IN', callingCode: '91', nationalDigits: 10, mobilePrefix: '9' }],
      [['australia', 'au'], { country: 'AU', callingCode: '61', nationalDigits: 9, mobilePrefix: '4' }],
      [
        ['netherlands', 'thenetherlands', 'holland', 'nl'],
        { country: 'NL', callingCode: '31', nationalDigits: 9, mobilePrefix: '6' },
      ],
      [['spain', 'espana', 'es'], { country: 'ES', callingCode: '34', nationalDigits: 9, mobilePrefix: '6' }],
      [['brazil', 'brasil', 'br'], { country: 'BR', callingCode: '55', nationalDigits: 11 }],
      [['singapore', 'sg'], { country: 'SG', callingCode: '65', nationalDigits: 8, mobilePrefix: '9' }],
    ] as const
  ).flatMap(([keys, numbering]) => keys.map((key): [string, CountryNumbering] => [key, numbering])),
);

/** Lower-case ASCII letters only: accents are stripped (é → e), anything else is dropped. */
function letters(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

/** Reads the bytes of one lead's hash in turn, so every detail of an answer is deterministic. */
class HashReader {
  private position: number;

  constructor(
    private readonly bytes: Buffer,
    start: number,
  ) {
    this.position = start;
  }

  /** Wraps around at the end: the answers only need to be stable, not independent. */
  byte(): number {
    const value = this.bytes[this.position % this.bytes.length];
    this.position += 1;
    return value;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.byte() % items.length];
  }

  digit(min = 0): string {
    return String(min + (this.byte() % (10 - min)));
  }
}

/**
 * A vendor simulation for running without network access. Whether it knows a lead, and what
 * it answers, depends only on its seed and the lead id, so the same lead always gets the same
 * answer (a retried job sees the same data). Errors, in contrast, are drawn with Math.random:
 * they model transient upstream failures, which a retry is expected to get past.
 */
export class SimulatedProvider implements EnrichmentProvider {
  readonly name: string;
  readonly field: ContactField;
  readonly maxBatchSize: number;
  private readonly hitRate: number;
  private readonly latencyMs: number;
  private readonly errorRate: number;
  private readonly seed: string;

  constructor(options: SimulatedProviderOptions) {
    this.name = options.name;
    this.field = options.field;
    this.maxBatchSize = options.maxBatchSize;
    this.hitRate = options.hitRate;
    this.latencyMs = options.latencyMs;
    this.errorRate = options.errorRate;
    this.seed = options.seed ?? options.name;
  }

  async lookup(leads: readonly LeadContext[]): Promise<ProviderAnswer> {
    if (this.latencyMs > 0) await delay(this.latencyMs);
    if (leads.length > this.maxBatchSize) {
      // What a vendor answers with a 400: sending the same batch again cannot succeed.
      throw new ProviderError(this.name, `batch of ${leads.length} exceeds the limit of ${this.maxBatchSize}`, false);
    }
    if (Math.random() < this.errorRate) {
      throw new ProviderError(this.name, 'simulated upstream error (503)', true);
    }
    const answer: ProviderAnswer = new Map();
    for (const lead of leads) {
      const data = this.answerFor(lead);
      if (data) answer.set(lead.id, data);
    }
    return answer;
  }

  private answerFor(lead: LeadContext): FoundContactData | null {
    const hash = createHash('sha256').update(`${this.seed}:${lead.id}`).digest();
    // 48 bits give a uniform value in [0, 1) with plenty of resolution for any hit rate.
    if (hash.readUIntBE(0, 6) / 2 ** 48 >= this.hitRate) return null;
    const reader = new HashReader(hash, 6);
    if (this.field === ContactField.EMAILS) {
      const emails = this.emailsFor(lead, reader);
      return emails.length > 0 ? { emails } : null;
    }
    return { phones: this.phonesFor(lead, reader) };
  }

  /** 1–2 addresses in common corporate patterns; none when there is no name or domain to build from. */
  private emailsFor(lead: LeadContext, reader: HashReader): FoundEmail[] {
    const first = letters(lead.firstName);
    const last = letters(lead.lastName);
    const domain = lead.companyDomain.trim().toLowerCase();
    const patterns = [
      first && last ? `${first}.${last}` : '',
      first && last ? `${first[0]}.${last}` : '',
      first || last,
    ].filter((local, index, all) => local !== '' && all.indexOf(local) === index);
    if (patterns.length === 0 || !/^[a-z0-9.-]+\.[a-z]{2,}$/.test(domain)) return [];

    const count = Math.min(patterns.length, 1 + (reader.byte() % 2));
    const start = reader.byte() % patterns.length;
    return Array.from({ length: count }, (_, i) => ({
      address: `${patterns[(start + i) % patterns.length]}@${domain}`,
      verificationStatus: reader.pick(VERIFICATION_STATUSES),
    }));
  }

  /** 1–2 E.164 numbers in the lead's country (NANP when the country is not known). */
  private phonesFor(lead: LeadContext, reader: HashReader): FoundPhone[] {
    const numbering = NUMBERING.get(letters(lead.country)) ?? NANP;
    const count = reader.byte() % 4 === 0 ? 2 : 1;
    const firstType = reader.pick(PHONE_TYPES);
    const types: PhoneType[] = count === 2 ? [firstType, firstType === 'office' ? 'mobile' : 'office'] : [firstType];
    return types.map((type) => ({ number: phoneNumber(numbering, type, reader), type }));
  }
}

/** How many numbers are drawn for a lead before the country's example number stands in. */
const PHONE_DRAWS = 16;

/** A number valid by libphonenumber's metadata (a vendor would not sell an unassigned range). */
function phoneNumber(numbering: CountryNumbering, type: PhoneType, reader: HashReader): string {
  for (let draw = 0; draw < PHONE_DRAWS; draw += 1) {
    const candidate = drawPhoneNumber(numbering, type, reader);
    if (isValidPhoneNumber(candidate)) return candidate;
  }
  return getExampleNumber(numbering.country, examples)!.number;
}

function drawPhoneNumber(numbering: CountryNumbering, type: PhoneType, reader: HashReader): string {
  // National significant numbers never start with 0 (that is the trunk prefix).
  let national = type === 'mobile' && numbering.mobilePrefix ? numbering.mobilePrefix : reader.digit(2);
  while (national.length < numbering.nationalDigits) {
    // NANP exchange codes (4th digit) start with 2–9 as area codes do.
    national += numbering === NANP && national.length === 3 ? reader.digit(2) : reader.digit();
  }
  return `+${numbering.callingCode}${national}`;
}

/** The default simulated vendors, in the order they are built. */
const DEFAULT_SIMULATED_PROVIDERS: ReadonlyArray<{ name: string; field: ContactField }> = [
  { name: 'sim-email-alpha', field: ContactField.EMAILS },
  { name: 'sim-email-beta', field: ContactField.EMAILS },
  { name: 'sim-phone-alpha', field: ContactField.PHONES },
  { name: 'sim-phone-beta', field: ContactField.PHONES },
];

/** The default vendors: same behaviour knobs for all (SIM_*), each knowing different leads. */
export function createSimulatedProviders(config: AppConfig): SimulatedProvider[] {
  return DEFAULT_SIMULATED_PROVIDERS.map(
    ({ name, field }) =>
      new SimulatedProvider({
        name,
        field,
        hitRate: config.SIM_HIT_RATE,
        latencyMs: config.SIM_LATENCY_MS,
        errorRate: config.SIM_ERROR_RATE,
        maxBatchSize: 100,
      }),
  );
}
