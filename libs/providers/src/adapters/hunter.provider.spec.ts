import { ProviderAuthError } from '../provider.errors';
import { describeVendorFailures, FAST_RETRIES, StubVendor, testLead } from '../testing/stub-vendor';
import { HunterProvider } from './hunter.provider';

/** Hunter's email-finder answer, as documented: data.email, data.score, data.verification.status. */
function finderReply(email: string | null, status: string | null = 'valid', score: number | null = 95) {
  return { json: { data: { email, score, verification: { date: '2024-05-01', status } }, meta: { params: {} } } };
}

describe('HunterProvider', () => {
  let stub: StubVendor;
  let hunter: HunterProvider;
  const lead = testLead('lead-1');

  beforeAll(async () => {
    stub = await StubVendor.start();
    hunter = new HunterProvider('hunter', {
      ...FAST_RETRIES,
      apiKey: 'hunter-secret',
      baseUrl: stub.url,
      rateLimit: { requests: 15, windowMs: 1000 },
      maxBatchSize: 1,
    });
  });
  afterEach(() => stub.reset());
  afterAll(() => stub.close());

  it('asks the email finder with the name, domain and key, and maps a verified address', async () => {
    stub.queue(finderReply('Jane.Doe@acme.com', 'valid'));
    const answer = await hunter.lookup([lead]);
    expect(answer.get('lead-1')).toEqual({
      emails: [{ address: 'jane.doe@acme.com', verificationStatus: 'verified' }],
    });
    const [request] = stub.requests;
    expect(request.method).toBe('GET');
    expect(request.path).toBe('/v2/email-finder');
    expect(Object.fromEntries(request.query)).toEqual({
      domain: 'acme.com',
      first_name: 'Jane',
      last_name: 'Doe',
      api_key: 'hunter-secret',
    });
  });

  it.each([
    ['accept_all', 10, 'likely'],
    ['unknown', 85, 'likely'],
    ['unknown', 40, 'unverified'],
    [null, 30, 'unverified'],
  ])('maps verification %s with score %p to %s', async (status, score, expected) => {
    stub.queue(finderReply('jane@acme.com', status, score));
    const answer = await hunter.lookup([lead]);
    expect(answer.get('lead-1')).toEqual({ emails: [{ address: 'jane@acme.com', verificationStatus: expected }] });
  });

  it('finds nothing when Hunter has no address, or only an invalid one', async () => {
    stub.queue(finderReply(null, null, null), finderReply('jane@acme.com', 'invalid'));
    expect((await hunter.lookup([lead])).size).toBe(0);
    expect((await hunter.lookup([lead])).size).toBe(0);
  });

  it('treats 451 (the person opted out) as not found', async () => {
    stub.queue({ status: 451, json: { errors: [{ id: 'claimed_email', code: 451 }] } });
    expect((await hunter.lookup([lead])).size).toBe(0);
  });

  it('does not call Hunter for a lead without a domain or name', async () => {
    expect((await hunter.lookup([testLead('x', { companyDomain: '' }), testLead('y', { lastName: ' ' })])).size).toBe(
      0,
    );
    expect(stub.requests).toHaveLength(0);
  });

  it('takes a token before every request after the first', async () => {
    stub.answer(() => finderReply('jane@acme.com'));
    const tokens: number[] = [];
    const answer = await hunter.lookup([testLead('a'), testLead('b'), testLead('c')], {
      beforeNextRequest: async () => void tokens.push(1),
    });
    expect(answer.size).toBe(3);
    expect(tokens).toHaveLength(2);
    stub.answer(() => ({ status: 404 }));
  });

  it('disables on 429, which Hunter uses for an exhausted plan, and never echoes the key', async () => {
    stub.queue({ status: 429, json: { errors: [{ details: 'usage limit reached for key hunter-secret' }] } });
    const call = hunter.lookup([lead]);
    await expect(call).rejects.toBeInstanceOf(ProviderAuthError);
    await expect(call).rejects.toThrow(/usage limit of the plan reached/);
    await expect(call).rejects.not.toThrow(/hunter-secret/);
  });

  describeVendorFailures('hunter', () => ({
    stub,
    provider: hunter,
    lead,
    found: finderReply('jane@acme.com'),
    throttleStatus: 403,
  }));
});
