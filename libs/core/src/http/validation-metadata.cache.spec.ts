import { getMetadataStorage, IsInt, IsString, Min, registerDecorator, validateSync } from 'class-validator';
import { memoizeValidationMetadata } from './validation-metadata.cache';

class Lead {
  @IsString()
  name!: string;

  @IsInt({ groups: ['strict'] })
  rank!: number;
}

const propertiesIn = (errors: ReturnType<typeof validateSync>) => errors.map((error) => error.property).sort();

describe('memoizeValidationMetadata', () => {
  const storage = getMetadataStorage();
  beforeAll(() => memoizeValidationMetadata(storage));

  it('answers a class’s rules from the cache: the same list every time, per set of options', () => {
    const first = storage.getTargetValidationMetadatas(Lead, '', false, false);
    expect(storage.getTargetValidationMetadatas(Lead, '', false, false)).toBe(first);
    expect(storage.groupByPropertyName(first)).toBe(storage.groupByPropertyName(first));
    const strict = storage.getTargetValidationMetadatas(Lead, '', false, false, ['strict']);
    expect(strict).not.toBe(first);
    expect(strict.map((rule) => rule.propertyName)).toEqual(['rank']);
  });

  it('validates as before, groups included', () => {
    const lead = Object.assign(new Lead(), { name: 7, rank: 'high' });
    expect(propertiesIn(validateSync(lead))).toEqual(['name', 'rank']);
    expect(propertiesIn(validateSync(lead, { groups: ['strict'] }))).toEqual(['rank']);
    expect(validateSync(Object.assign(new Lead(), { name: 'Ada', rank: 1 }))).toEqual([]);
  });

  it('sees a rule registered after the class’s rules were cached', () => {
    class Note {
      @IsString()
      text!: string;
    }
    const blank = Object.assign(new Note(), { text: '' });
    expect(validateSync(blank)).toEqual([]);
    registerDecorator({
      name: 'isNotBlank',
      target: Note,
      propertyName: 'text',
      validator: { validate: (value: unknown) => value !== '' },
    });
    expect(propertiesIn(validateSync(blank))).toEqual(['text']);
  });

  it('finds inherited rules for a class defined after its parent’s were cached', () => {
    expect(storage.getTargetValidationMetadatas(Lead, '', false, false)).toHaveLength(2);
    class RankedLead extends Lead {
      @Min(10)
      score!: number;
    }
    const lead = Object.assign(new RankedLead(), { name: 7, rank: 1, score: 3 });
    expect(propertiesIn(validateSync(lead))).toEqual(['name', 'score']);
  });

  it('wraps a storage once, however often it is called', () => {
    const lookup = storage.getTargetValidationMetadatas;
    memoizeValidationMetadata(storage);
    expect(storage.getTargetValidationMetadatas).toBe(lookup);
  });
});
