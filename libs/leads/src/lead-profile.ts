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
