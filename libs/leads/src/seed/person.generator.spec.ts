import { generatePeople, mulberry32 } from './person.generator';
import { DEPARTMENTS, SENIORITIES, SKILLS_BY_DEPARTMENT } from './seed-vocabulary';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('generatePeople', () => {
  const people = generatePeople(20000);

  it('is deterministic, and a longer run extends a shorter one', () => {
    expect(generatePeople(50)).toEqual(people.slice(0, 50));
    expect(generatePeople(50, 7)).not.toEqual(people.slice(0, 50));
  });

  it('gives every person a distinct v4-shaped uuid', () => {
    expect(people.every((person) => UUID_V4.test(person.id))).toBe(true);
    expect(new Set(people.map((person) => person.id)).size).toBe(people.length);
  });

  it('titles at least 10% of people exactly "Software Engineer" or "Developer"', () => {
    const count = people.filter((p) => p.jobTitle === 'Software Engineer' || p.jobTitle === 'Developer').length;
    expect(count).toBeGreaterThanOrEqual(2000);
  });

  it('stays within the documented vocabulary', () => {
    const skillsOf = (department: string): readonly string[] =>
      SKILLS_BY_DEPARTMENT[department as keyof typeof SKILLS_BY_DEPARTMENT] ?? [];
    const misfits = people.filter(
      (p) =>
        !(SENIORITIES as readonly string[]).includes(p.seniority) ||
        !(DEPARTMENTS as readonly string[]).includes(p.department) ||
        p.skills.length < 2 ||
        p.skills.length > 6 ||
        new Set(p.skills).size !== p.skills.length ||
        p.skills.some((skill) => skill !== skill.toLowerCase()) ||
        !p.skills.every((skill) => skillsOf(p.department).includes(skill)) ||
        !/^(https:\/\/www\.linkedin\.com\/in\/[a-z0-9-]+)?$/.test(p.linkedinUrl ?? ''),
    );
    expect(misfits).toEqual([]);
  });

  it('spreads people over departments, countries and companies', () => {
    expect(new Set(people.map((p) => p.department)).size).toBe(DEPARTMENTS.length);
    expect(new Set(people.map((p) => p.country)).size).toBeGreaterThanOrEqual(8);
    expect(new Set(people.map((p) => p.companyName)).size).toBeGreaterThanOrEqual(50);
    expect(people.some((p) => p.state === null)).toBe(true);
  });
});

describe('mulberry32', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    const draws = Array.from({ length: 1000 }, () => a());
    expect(draws).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
