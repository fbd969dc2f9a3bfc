/** A lead as other modules see it; the entity stays inside the leads module. */
export interface LeadProfile {
  id: string;
  firstName: string;
  lastName: string;
  fullName: string;
  jobTitle: string;
  seniority: string;
  department: string;
  skills: string[];
  country: string;
  state: string | null;
  city: string;
  companyName: string;
  companyDomain: string;
  companyIndustry: string;
  companyEmployeeSize: number;
  linkedinUrl: string | null;
}

/** RFC 4122 layout, any version; anything else cannot be a person id (the column is uuid). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
