import { withProvenance } from './provenance';

describe('withProvenance', () => {
  const now = '2026-11-30T10:00:00.000Z';

  it('stamps new values with the provider and now', () => {
    expect(
      withProvenance({ emails: [{ address: 'a@x.com', verificationStatus: 'verified' }] }, 'sim', now, undefined),
    ).toEqual({
      emails: [
        { address: 'a@x.com', verificationStatus: 'verified', source: 'sim', foundAt: now, lastConfirmedAt: now },
      ],
    });
  });

  it('keeps the source and foundAt of a value found before, and confirms it now', () => {
    const before = '2026-01-01T00:00:00.000Z';
    const previous = {
      phones: [
        { number: '+14155550123', type: 'mobile' as const, source: 'first', foundAt: before, lastConfirmedAt: before },
      ],
    };
    const data = {
      phones: [
        { number: '+14155550123', type: 'direct' as const },
        { number: '+14155550124', type: 'office' as const },
      ],
    };
    expect(withProvenance(data, 'second', now, previous)).toEqual({
      phones: [
        { number: '+14155550123', type: 'direct', source: 'first', foundAt: before, lastConfirmedAt: now },
        { number: '+14155550124', type: 'office', source: 'second', foundAt: now, lastConfirmedAt: now },
      ],
    });
  });
});
